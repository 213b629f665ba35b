"""Bring timelines made with other tools into a site as stories and entries."""
