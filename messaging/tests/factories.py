import io

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from messaging import services
from messaging.models import Attachment, Block, Conversation, Message
from messaging.tests.files import image_bytes

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.django.Password(TEST_PASSWORD)


class ConversationFactory(factory.django.DjangoModelFactory):
    """A bare conversation row; prefer `send` below, which keeps counters exact."""

    class Meta:
        model = Conversation

    user_one = factory.SubFactory(UserFactory)
    user_two = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        one, two = kwargs["user_one"], kwargs["user_two"]
        if two.pk < one.pk:
            kwargs["user_one"], kwargs["user_two"] = two, one
        return super()._create(model_class, *args, **kwargs)


class MessageFactory(factory.django.DjangoModelFactory):
    """Creates a message through the service layer, as a member would."""

    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    message_text = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class, *args, sender, recipient, message_text, **kwargs):
        return services.send_message(
            sender=sender, recipient_id=recipient.pk, text=message_text, **kwargs
        ).message


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)


def send(sender, recipient, text: str = "hello", **kwargs) -> Message:
    return services.send_message(
        sender=sender, recipient_id=recipient.pk, text=text, **kwargs
    ).message


class AttachmentFactory(factory.django.DjangoModelFactory):
    """An upload through the service layer (a small PNG unless `content` says otherwise)."""

    class Meta:
        model = Attachment

    uploader = factory.SubFactory(UserFactory)
    name = "picture.png"
    content = factory.LazyFunction(lambda: image_bytes((640, 320)))

    @classmethod
    def _create(cls, model_class, *args, uploader, name, content, **kwargs):
        return services.upload_attachment(
            uploader=uploader, file=io.BytesIO(content), name=name, size=len(content)
        )
