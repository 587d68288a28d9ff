"""`manage.py seed_demo_missions`: demo partner schools, referents, students, a coordinator and missions in every
state, so `make run` shows the whole "mise en relation" service; prints the demo logins like `create_editor`.

Everything goes through `missions.services` (so the history and the e-mails are the real ones). Run again, it
only resets the demo passwords and prints the logins. Demo addresses use the reserved `exemple.invalid` domain;
the password comes from DEMO_MISSIONS_PASSWORD or is generated once and kept in var/.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cms.models import ModulePage, Sector, Theme
from merchants import services as merchant_services
from merchants.models import MerchantProfile
from missions import services
from missions.models import Appointment, Mission, School, SchoolReferent, StudentHelper

DOMAIN = "exemple.invalid"
COORDINATORS = "Coordinateurs"
SCHOOLS = [
    ("Lycée professionnel Le Chatelier", School.Kind.VOCATIONAL, "13003", "Mme Durand"),
    ("Lycée Denis Diderot", School.Kind.TECHNOLOGY, "13013", "M. Roux"),
    ("BTS Commerce international — Lycée Marie Curie", School.Kind.BTS, "13005", "Mme Haddad"),
]
STUDENTS = [  # first name, last name, school index, theme slugs
    ("Yasmine", "Benali", 0, ["vendre-en-ligne", "etre-visible"]),
    ("Lucas", "Ferrer", 0, ["etre-visible", "se-proteger"]),
    ("Inès", "Kaci", 1, ["vendre-en-ligne", "encaisser-gerer"]),
    ("Théo", "Marchetti", 1, ["se-proteger"]),
    ("Sarah", "Nguyen", 2, ["vendre-en-ligne", "etre-visible", "encaisser-gerer"]),
]


def _password() -> str:
    password = os.environ.get("DEMO_MISSIONS_PASSWORD")
    if password:
        return password
    path = Path(settings.VAR_DIR) / "demo-missions-password.txt"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _user(email: str, password: str, **fields):
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email, **fields})
    user.set_password(password)
    user.save()
    return user


class Command(BaseCommand):
    help = "Create demo schools, referents, students, a coordinator and missions in every state; print the logins."

    def handle(self, *args, **options):
        password = _password()
        with transaction.atomic():
            created = self._people(password)
            if created:
                self._missions()
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        for line in (
            f"Students' space — {base}/espace/  student: eleve-yasmine@{DOMAIN}  password: {password}",
            f"Students' space — {base}/espace/  referent: referent-chatelier@{DOMAIN}  password: {password}",
            f"Coordinator — {base}/admin/missions/  user: coordination@{DOMAIN}  password: {password}",
            f"Merchant with missions — {base}/app/  user: commerce-missions@{DOMAIN}  password: {password}",
        ):
            self.stdout.write(self.style.SUCCESS(line))

    def _people(self, password: str) -> bool:
        """Schools, referents, students, the coordinator and a merchant; True when they were just created."""
        created = not School.objects.filter(name=SCHOOLS[0][0]).exists()
        schools = []
        for name, kind, postcode, referent_name in SCHOOLS:
            school, _ = School.objects.get_or_create(name=name, defaults={"kind": kind, "postcode": postcode})
            schools.append(school)
            slug = name.split()[-1].lower() if "Chatelier" not in name else "chatelier"
            user = _user(f"referent-{slug}@{DOMAIN}", password)
            SchoolReferent.objects.get_or_create(user=user, defaults={"school": school, "display_name": referent_name})
        for first, last, school_index, themes in STUDENTS:
            user = _user(f"eleve-{first.lower().replace('é', 'e').replace('è', 'e')}@{DOMAIN}", password)
            student, _ = StudentHelper.objects.get_or_create(
                user=user, defaults={"first_name": first, "last_name": last, "school": schools[school_index]}
            )
            student.themes.set(Theme.objects.filter(slug__in=themes))
        group, _ = Group.objects.get_or_create(name=COORDINATORS)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
            *Permission.objects.filter(content_type__app_label="missions"),
        )
        coordinator = _user(f"coordination@{DOMAIN}", password, is_staff=True, first_name="Coordination")
        coordinator.groups.add(group)
        merchant_email = f"commerce-missions@{DOMAIN}"
        if not MerchantProfile.objects.filter(user__username=merchant_email).exists():
            merchant_services.register_merchant(email=merchant_email, password=password, personalisation_consent=True)
        profile = MerchantProfile.objects.get(user__username=merchant_email)
        profile.user.set_password(password)
        profile.user.save()
        if not profile.postcode:
            merchant_services.update_profile(
                merchant=profile,
                business_name="Épicerie fine du Panier",
                sector=Sector.objects.order_by("pk").first(),
                postcode="13002",
            )
        return created

    def _missions(self) -> None:
        """The demo merchant's missions in every state, and students for the demo merchants' accepted ones."""
        coordinator = get_user_model().objects.get(username=f"coordination@{DOMAIN}")
        merchant = MerchantProfile.objects.get(user__username=f"commerce-missions@{DOMAIN}")
        yasmine = StudentHelper.objects.get(user__username=f"eleve-yasmine@{DOMAIN}")
        module = ModulePage.objects.live().filter(theme__slug="vendre-en-ligne").first()
        theme = Theme.objects.get(slug="vendre-en-ligne")
        needs = {
            "new": "Je voudrais mettre mes paniers garnis en vente sur Internet.",
            "proposed": "Mon site n'apparaît pas quand on cherche « épicerie Panier ».",
            "matched": "Je voudrais proposer le retrait en boutique des commandes.",
            "in_progress": "J'aimerais une fiche Google avec mes horaires et des photos.",
            "done": "Je voudrais lancer le click & collect avant les fêtes.",
            "cancelled": "Je voulais une page Instagram, finalement ma fille s'en occupe.",
        }
        now = timezone.now()
        for state, need in needs.items():
            mission = services.request_help(
                merchant=merchant,
                need=need,
                theme=theme,
                module=module if state in ("done", "in_progress") else None,
                availability="Le mardi ou le jeudi matin",
                opening_hours="Du mardi au samedi, 9 h – 19 h",
                contact_name="Mme Lefèvre",
                contact_phone="04 91 00 00 00",
                shop_address="12 rue du Panier, 13002 Marseille",
            )
            if state == "cancelled":
                mission = services.cancel_mission(mission=mission, actor=merchant.user, role="merchant")
            if state in ("new", "cancelled"):
                continue
            mission = services.propose_student(mission=mission, student=yasmine, coordinator=coordinator)
            if state == "proposed":
                continue
            mission = services.accept_mission(mission=mission, user=yasmine.user)
            services.post_message(
                mission=mission, author=yasmine.user, role="student", body="Bonjour, je peux passer mardi matin ?"
            )
            if state == "matched":
                continue
            # A session that took place two days ago, reported; then (in progress) one next week.
            past = Appointment.objects.create(
                mission=mission,
                starts_at=now - timedelta(days=2),
                mode="in_shop",
                proposed_by="student",
                status=Appointment.Status.SCHEDULED,
            )
            Mission.objects.filter(pk=mission.pk).update(status="in_progress", started_at=now - timedelta(days=3))
            services.report_appointment(
                appointment=past,
                user=yasmine.user,
                done="Fiche Google créée et vérifiée, horaires et photos ajoutés.",
                minutes=90,
                next_step="Répondre aux premiers avis.",
            )
            if state == "in_progress":
                services.propose_appointment(
                    mission=mission,
                    user=yasmine.user,
                    starts_at=(timezone.localtime(now) + timedelta(days=7)).replace(hour=10, minute=0),
                    mode="in_shop",
                )
                continue
            services.confirm_appointment_held(appointment=past, user=merchant.user)
            mission = services.complete_mission(mission=mission, user=yasmine.user)
            services.rate_mission(mission=mission, satisfaction=5, comment="Yasmine a été formidable.")
        # The simulated merchants' requests already accepted get a demo student, so the admin names one.
        students = list(StudentHelper.objects.filter(user__username__endswith=f"@{DOMAIN}").order_by("pk"))
        orphans = Mission.objects.filter(student=None, status__in=["matched", "in_progress", "done"])
        for index, mission in enumerate(orphans.only("pk")):
            mission.student = students[index % len(students)]
            mission.save(update_fields=["student"])
