from django.views.i18n import set_language

from actionlines.models import Profile


def switch_language(request):
    """Django's set_language, and for a logged-in user the choice saved in their profile."""
    response = set_language(request)
    language = request.POST.get("language")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(Profile.Language.choices)
    ):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
