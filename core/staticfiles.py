"""Static files: fingerprinted names, cached by browsers for good.

After `collectstatic` (run by `make run` and the container build) every file is stored
under a name carrying a hash of its content (`plotly.min.3f2a….js`); WhiteNoise serves
such names with a ten-year `max-age` and `immutable`, so even plotly's 4.9 MB bundle is
downloaded once per release. The container build also writes gzip and brotli copies
(`DUALSOURCE_COMPRESS_STATIC=true`; it takes minutes, so a local start skips it).
Before `collectstatic` has run (a fresh checkout's `manage.py runserver`, the tests) the
plain names are used and WhiteNoise serves them straight from the source folders.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class FingerprintedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def post_process(self, *args, **kwargs):
        if getattr(settings, "STATIC_COMPRESS", False):
            yield from super().post_process(*args, **kwargs)
        else:
            yield from ManifestStaticFilesStorage.post_process(self, *args, **kwargs)

    def stored_name(self, name):
        if not self.hashed_files:
            return name  # nothing collected yet: the source file under its own name
        try:
            return super().stored_name(name)
        except ValueError:
            return name  # added after the last collectstatic
