"""One notification service for every feature: the outbox (WhatsApp, SMS, e-mail; sent
once, retried with backoff), residents' subscriptions with consent records, broadcasts
to an audience, and posters and flyers with a QR code.

It sits above accounts and below the registry and the features (docs/architecture.md):
the features queue their messages here, and tell it what it cannot know by itself
through `hooks` (who a recipient list or a course reaches, what a poster says).
"""
