from django.urls import path

from articles.desk import editor

app_name = "editor"

urlpatterns = [
    path("preview/", editor.preview, name="preview"),
    path("upload/", editor.upload, name="upload"),
    path("tags/", editor.tag_suggestions, name="tags"),
]
