"""Request guards that run before any view reads the body."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


class RequestSizeLimitMiddleware:
    """Refuse a body larger than DUALSOURCE_MAX_REQUEST_BYTES from its Content-Length,
    before anything reads it (413). Django's own cap covers only `request.body` and form
    fields; API parsers and file uploads read the stream."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Malformed Content-Length.", status=400, content_type="text/plain")
        limit = settings.DUALSOURCE_MAX_REQUEST_BYTES
        if length > limit:
            message = f"The request body is larger than {limit} bytes."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain")
        return self.get_response(request)


class NulCharacterRefusalMiddleware:
    """Refuse a query string, cookie or header holding a NUL character (400) and answer a
    path holding one with 404: no key, code, session or token contains one, and PostgreSQL
    cannot compare text with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            # No resource is named with a NUL character: the address names nothing.
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Not found."}, status=404)
            return HttpResponse("Not found.", status=404, content_type="text/plain")
        values = [*request.GET.keys(), *request.COOKIES.values()]
        values += [v for vs in request.GET.lists() for v in vs[1]]
        # Cookies and headers reach the database too (a session key, an API token).
        values += [str(v) for k, v in request.META.items() if k.startswith("HTTP_")]
        if any("\x00" in value for value in values):
            message = "A request may not contain a NUL character."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain")
        return self.get_response(request)
