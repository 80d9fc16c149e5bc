from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed names once `collectstatic` has run; plain names before.

    A fresh checkout (and the test suite) renders pages without a manifest;
    WhiteNoise then serves the files from the app folders by their plain names.
    """

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            return name
