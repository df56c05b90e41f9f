from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from klentyadmin.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "klenty_email", "is_active", "last_login")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Role", {"fields": ("role", "klenty_email")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, ("Role", {"fields": ("role", "klenty_email")}))
