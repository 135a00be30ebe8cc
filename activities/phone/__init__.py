"""The caring mother's phone: mobile-first pages under /m/, an installable PWA, and an offline queue.

The pages read through ``Child.objects.visible_to`` / ``Activity.objects.visible_to``; recording goes
through the public API (``POST /api/v1/activities/``) from static/phone/app.js, with a plain form POST
calling activities.services.activity_record as the no-JavaScript fallback.
"""
