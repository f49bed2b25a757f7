"""Notifications: Web Push to devices, choices per kind and channel, quiet and working hours.

Other areas call `service.notify(...)` (see its docstring); the worker releases and
delivers pushes (`delivery`), and a daily job mails the summary (`digest`).
"""
