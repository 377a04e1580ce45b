from django import template

from messaging.selectors import unread_message_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context) -> int:
    """The signed-in user's unread message count, for navigation badges."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_message_count(user=user) if user is not None else 0
