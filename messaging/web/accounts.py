"""Account pages: log in, log out, sign up (session auth, CSRF, throttled like the API)."""

from http import HTTPStatus

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from alumunity.ratelimit import client_address, count_hit, login_attempt_wait, retry_after
from alumunity.users.services import register_member
from messaging import services
from messaging.exceptions import MessagingError

from .forms import LoginForm, SignupForm


def _next_url(request) -> str:
    """Where to go after signing in: a path of this site, else the messages page. Only
    a path will do: `redirect()` would read a bare word such as `foo` as a URL name."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _throttled(request, template: str, form, wait: float):
    seconds = retry_after(wait)
    form.add_error(None, f"Too many attempts. Please wait {seconds} seconds and try again.")
    response = render(
        request,
        template,
        {"form": form, "next": _next_url(request)},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    return response


@require_http_methods(["GET", "POST"])
def login_page(request):
    if request.method == "GET":
        if request.user.is_authenticated:
            return HttpResponseRedirect(_next_url(request))
        return render(
            request, "accounts/login.html", {"form": LoginForm(), "next": _next_url(request)}
        )
    form = LoginForm(request.POST)
    if form.is_valid():
        wait = login_attempt_wait(address=client_address(request), email=form.cleaned_data["email"])
        if wait is not None:
            return _throttled(request, "accounts/login.html", form, wait)
        user = authenticate(
            request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
        )
        if user is not None:
            login(request, user)
            return HttpResponseRedirect(_next_url(request))
        form.add_error(None, "Email or password is incorrect.")
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next_url(request)},
        status=HTTPStatus.BAD_REQUEST,
    )


@require_POST
def logout_page(request):
    session_key = request.session.session_key
    logout(request)
    services.end_browser_session(session_key=session_key)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def signup_page(request):
    if request.method == "GET":
        return render(request, "accounts/signup.html", {"form": SignupForm()})
    form = SignupForm(request.POST)
    if form.is_valid():
        wait = count_hit(
            scope="register",
            identity=client_address(request),
            rate=settings.REGISTER_RATE,
        )
        if wait is not None:
            return _throttled(request, "accounts/signup.html", form, wait)
        try:
            user = register_member(**form.cleaned_data)
        except MessagingError as error:
            errors: dict[str | None, list[str]] = {None: [error.message]}
            if error.errors:
                errors = {field: reasons for field, reasons in error.errors.items()}
            for field, reasons in errors.items():
                for reason in reasons:
                    form.add_error(field if field in form.fields else None, reason)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form}, status=HTTPStatus.BAD_REQUEST)
