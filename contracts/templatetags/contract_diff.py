from django import template

register = template.Library()


@register.filter
def diff(before, after) -> list[tuple[str, object, object]]:
    """The fields an audit row changed: (name, before, after); all of them on create/delete."""
    before, after = before or {}, after or {}
    names = [n for n in {**before, **after} if n != "id"]
    return [
        (name.removesuffix("_id"), before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]
