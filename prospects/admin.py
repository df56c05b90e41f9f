"""Django admin for the prospect cache: a read-mostly view for Admins, and the
baseline the search page's benchmark compares against (bench/prospects_search.py)."""

from django.contrib import admin

from prospects.models import Prospect, ProspectList

# The five fields the search page searches.
SEARCH_FIELDS = ["full_name", "email", "company", "title", "company_domain"]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "company", "prospect_status", "owner_email"]
    list_select_related = ["prospect_list"]
    search_fields = SEARCH_FIELDS
    list_per_page = 50


@admin.register(ProspectList)
class ProspectListAdmin(admin.ModelAdmin):
    list_display = ["name", "klenty_id", "synced_at"]
    search_fields = ["name"]
