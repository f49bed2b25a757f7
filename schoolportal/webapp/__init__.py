"""The portal as an app on the phone: manifest, icons, service worker, offline page, the menu."""
