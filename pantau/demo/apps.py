from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pantau.demo"
    verbose_name = "Demo"
