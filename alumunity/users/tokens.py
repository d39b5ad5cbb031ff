"""Refreshing a JWT, stricter than simplejwt's own serializer.

simplejwt 5.5 looks the member up with `.get()` (a deleted member becomes a 500) and
accepts a refresh token without a member claim. Its rotation blacklists the old token
with a get_or_create whose result it ignores, so two concurrent uses of one refresh
token both receive a fresh pair. Here the member must exist and be active, and the old
token is claimed atomically: of several concurrent uses, exactly one wins."""

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from rest_framework import exceptions
from rest_framework_simplejwt import serializers as simplejwt
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings


class TokenRefreshSerializer(simplejwt.TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type, blacklist
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = (
            get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
            if user_id
            else None
        )
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        data = {"access": str(refresh.access_token)}
        if api_settings.ROTATE_REFRESH_TOKENS:
            try:
                _blacklisted, claimed = refresh.blacklist()
            except IntegrityError:  # a concurrent use inserted the same row first
                claimed = False
            if not claimed:
                raise InvalidToken("Token is blacklisted")
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh.outstand()
            data["refresh"] = str(refresh)
        return data
