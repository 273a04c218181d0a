"""The minimal Django + django-oscar project that ``oscar_peer.py`` writes to a temp dir.

Two JSON views, each using Oscar's own APIs:

* ``POST /validate`` — the voucher checks of Oscar's ``VoucherAddView``
  (``Voucher.is_active``, ``is_available_to_user``) and the voucher's offers
  applied to a basket holding the product, with ``Applicator.apply_offers``;
  nothing is written (like our ``/coupons/apply``). The baskets are made at
  seeding time, as a shop's customers would already have them.
* ``POST /redeem`` — the order placement of Oscar's checkout: a basket with the
  product, the voucher added, ``Applicator.apply``, then
  ``OrderCreator.place_order`` (which locks the basket's vouchers, records the
  discount on the offer and the voucher's usage) and ``basket.submit()``.
  ``201`` when the order got the voucher's discount, ``422`` when Oscar no
  longer applies the voucher (e.g. the offer's ``max_global_applications``
  is used up), ``200`` when the order number (booking_ref) exists already.
"""

SETTINGS = '''
import pymysql

pymysql.install_as_MySQLdb()

from oscar import INSTALLED_APPS as OSCAR_APPS
from oscar.defaults import *  # noqa: F401,F403

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = list(OSCAR_APPS)
SITE_ID = 1
ROOT_URLCONF = "benchproj.urls"
WSGI_APPLICATION = "benchproj.wsgi.application"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.mysql",
    "NAME": "{db_name}", "USER": "{db_user}", "PASSWORD": "{db_password}",
    "HOST": "{db_host}", "PORT": "{db_port}",
    "CONN_MAX_AGE": 280,
    "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
USE_TZ = True
TIME_ZONE = "UTC"
OSCAR_DEFAULT_CURRENCY = "USD"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
'''

URLS = '''
from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz),
    path("validate", views.validate),
    path("redeem", views.redeem),
]
'''

WSGI = '''
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
application = get_wsgi_application()
'''

VIEWS = '''
import json
import random
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from oscar.apps.shipping.methods import Free
from oscar.core.loading import get_class, get_model

Applicator = get_class("offer.applicator", "Applicator")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Selector = get_class("partner.strategy", "Selector")
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
Voucher = get_model("voucher", "Voucher")

_baskets = []


def healthz(request):
    return JsonResponse({"status": "ok"})


def _voucher(code):
    try:
        voucher = Voucher._default_manager.get(code=code.strip().upper())
    except Voucher.DoesNotExist:
        return None, "not_found"
    if not voucher.is_active():
        return None, "expired"
    ok, _message = voucher.is_available_to_user(user=AnonymousUser())
    return (voucher, "") if ok else (None, "already_used")


def _rejected(reason):
    return JsonResponse({"valid": False, "reason": reason}, status=422)


@csrf_exempt
def validate(request):
    body = json.loads(request.body)
    voucher, reason = _voucher(str(body["code"]))
    if voucher is None:
        return _rejected(reason)
    if not _baskets:
        _baskets.extend(Basket._default_manager.filter(status="Open").values_list(
            "id", flat=True)[:64])
    basket = Basket._default_manager.get(id=random.choice(_baskets))
    basket.strategy = Selector().strategy(request=request)
    Applicator().apply_offers(basket, voucher.offers.all())
    discount = basket.total_discount or Decimal("0")
    if not discount:
        return _rejected("usage_limit_reached")
    return JsonResponse({"valid": True, "code": voucher.code, "discount": str(discount),
                         "subtotal": str(basket.total_excl_tax_excl_discounts),
                         "total": str(basket.total_incl_tax)})


@csrf_exempt
def redeem(request):
    body = json.loads(request.body)
    number = str(body["booking_ref"])[:128]
    if Order._default_manager.filter(number=number).exists():
        return JsonResponse({"number": number}, status=200)
    voucher, reason = _voucher(str(body["code"]))
    if voucher is None:
        return _rejected(reason)
    user = AnonymousUser()
    basket = Basket._default_manager.create()
    basket.strategy = Selector().strategy(request=request)
    basket.add_product(Product._default_manager.get(upc="STAY"), 1)
    basket.vouchers.add(voucher)
    Applicator().apply(basket, user, request)
    if not basket.grouped_voucher_discounts:
        basket.vouchers.remove(voucher)
        return _rejected("usage_limit_reached")
    shipping = Free()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator(request).calculate(basket, charge)
    try:
        order = OrderCreator().place_order(basket=basket, total=total, shipping_method=shipping,
                                           shipping_charge=charge, user=user,
                                           order_number=number, request=request)
    except ValueError:  # the number was taken by a concurrent request
        return JsonResponse({"number": number}, status=200)
    basket.submit()
    return JsonResponse({"number": order.number, "discount": str(order.total_discount_incl_tax),
                         "total": str(order.total_incl_tax)}, status=201)
'''

SEED = '''
import os
import sys
from datetime import timedelta
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
django.setup()

from django.utils import timezone  # noqa: E402
from oscar.core.loading import get_class, get_model  # noqa: E402

Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
Range = get_model("offer", "Range")
StockRecord = get_model("partner", "StockRecord")
Voucher = get_model("voucher", "Voucher")
Selector = get_class("partner.strategy", "Selector")

count, hot, limited = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
now = timezone.now()
kind = ProductClass.objects.create(name="Booking", track_stock=False, requires_shipping=False)
product = Product.objects.create(title="A night's stay", upc="STAY", product_class=kind,
                                 structure="standalone", is_public=True)
partner = Partner.objects.create(name="The site")
StockRecord.objects.create(product=product, partner=partner, partner_sku="STAY",
                           price_currency="USD", price=Decimal("120.00"))
everything = Range.objects.create(name="Everything", includes_all_products=True)


def offer(name, max_applications=None):
    condition = Condition.objects.create(range=everything, type=Condition.COUNT, value=1)
    benefit = Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10)
    return ConditionalOffer.objects.create(
        name=name, offer_type=ConditionalOffer.VOUCHER, condition=condition, benefit=benefit,
        max_global_applications=max_applications)


def vouchers(prefix, number, an_offer):
    made = Voucher.objects.bulk_create([
        Voucher(name=f"{prefix}{i:06d}", code=f"{prefix}{i:06d}", usage=Voucher.MULTI_USE,
                start_datetime=now - timedelta(days=1), end_datetime=now + timedelta(days=365))
        for i in range(number)], batch_size=2000)
    made = list(Voucher.objects.filter(code__startswith=prefix))
    through = Voucher.offers.through
    through.objects.bulk_create([through(voucher_id=v.id, conditionaloffer_id=an_offer.id)
                                 for v in made], batch_size=2000)


vouchers("BENCH", count, offer("Ten percent"))
vouchers("HOT", hot, offer("Hot ten percent"))
vouchers("LIMITED", 1, offer("Limited ten percent", limited))
strategy = Selector().strategy()
for _ in range(64):
    basket = Basket.objects.create()
    basket.strategy = strategy
    basket.add_product(product, 1)
print("seeded", Voucher.objects.count(), "vouchers")
'''
