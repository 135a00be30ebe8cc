"""The staff pages of care activities: the ledger, an activity's page, recording and correcting
(ledger.py, editing.py), and the scoped photo view (photos.py). The volunteer's phone pages are in
activities/phone/."""
