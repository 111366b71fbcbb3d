from django.contrib.auth.views import LogoutView
from django.urls import path

from sitecert.portals.views import accounts, authority, holder, learning, organisation

urlpatterns = [
    path("accounts/register/", accounts.register, name="register"),
    path("accounts/register/organisation/", accounts.register_organisation, name="register-organisation"),
    path("accounts/register/confirm/", accounts.register_confirm, name="register-confirm"),
    path("accounts/login/", accounts.Login.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", accounts.password_reset, name="password-reset"),
    path("accounts/password-reset/finish/", accounts.password_reset_finish, name="password-reset-finish"),
    path("portal/", accounts.portal_home, name="portal-home"),
    path("me/", holder.home, name="holder-home"),
    path("me/roster/<int:pk>/dispute/", holder.dispute, name="holder-dispute"),
    path("me/help/", holder.help_page, name="holder-help"),
    path("learn/certificate/<int:certificate>/", learning.catalogue, name="learn-catalogue"),
    path("learn/certificate/<int:certificate>/enrol/<int:course>/", learning.enrol, name="learn-enrol"),
    path(
        "learn/certificate/<int:certificate>/assessment/",
        learning.assessment_start,
        name="learn-assessment-start",
    ),
    path("learn/assessment/<int:attempt>/", learning.assessment, name="learn-assessment"),
    path(
        "learn/certificate/<int:certificate>/proof/<int:year>.pdf",
        learning.proof_of_hours,
        name="learn-proof",
    ),
    path("verify/hours/<str:token>/", learning.verify_hours, name="verify-hours"),
    path("learn/<int:enrolment>/", learning.course, name="learn-course"),
    path("learn/<int:enrolment>/unit/<int:order>/", learning.unit, name="learn-unit"),
    path("org/", organisation.home, name="org-home"),
    path("org/staff.xlsx", organisation.staff_export, name="org-staff-export"),
    path("org/roster/add/", organisation.roster_add, name="org-roster-add"),
    path("org/roster/upload/", organisation.roster_upload, name="org-roster-upload"),
    path("org/reports/upload/", organisation.hour_report_upload, name="org-report-upload"),
    path("org/courses/", organisation.courses, name="org-courses"),
    path("org/courses/<int:pk>/", organisation.course, name="org-course"),
    path("org/tokens/", organisation.tokens, name="org-tokens"),
    path("org/tokens/<int:pk>/revoke/", organisation.token_revoke, name="org-token-revoke"),
    path("org/accounts/", organisation.staff, name="org-staff"),
    path("org/help/", organisation.help_page, name="org-help"),
    path("authority/", authority.home, name="authority-home"),
    path("authority/help/", authority.help_page, name="authority-help"),
]
