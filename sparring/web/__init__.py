"""Sparring's web server: the trainee chat page and the team-lead review dashboard.

It serves pages and a small JSON API; conversations themselves go browser → Rasa
(socket.io channel) directly. Transcripts are read from Rasa's tracker store.
"""
