"""The dashboard's pages, one router per resource; :mod:`ui.app` includes them all."""
