/* Advik Coupons: the "Have a coupon code?" widget of the payment step. No framework.
 *
 * Each [data-advik-coupon] element reads the booking from its data attributes (subtotal,
 * email, booking-date, booking-time, booking-type; items: the lines as JSON, a line's "name"
 * shown), posts the code to data-apply-url (default: the service this script came from) and
 * shows the answer: the new summary and a green "Coupon applied" line, or the message in red.
 * Changed attributes (a new subtotal) re-check an applied code. A code typed but not applied
 * when the host's form is submitted is applied first: the form is sent once it is, and
 * stopped with the message beside the field when it is not. For a recurring booking the
 * summary says what each later visit costs. Events on the element:
 * "advik:coupon-applied" (detail: the answer) and "advik:coupon-removed".
 * On pages Jinja does not render (templates/advik/coupon_widget.html) write
 * <div data-advik-coupon data-subtotal="120.00" data-form="checkout"></div>: the widget is
 * built inside from the service's widget.json (markup, currency, tax rate), replacing what
 * was there (a plain field for browsers without JavaScript); data-form is the id of the form
 * that posts the code, data-field-name renames coupon_code. From a script:
 * AdvikCoupon.mount(element, {subtotal: "120.00", form: "checkout"}) (a Promise).
 */
(function () {
  "use strict";

  var FIELDS = ["subtotal", "discount", "tax", "total"];
  var BOOKING_ATTRS = ["data-subtotal", "data-email", "data-booking-date", "data-booking-time",
                       "data-booking-type", "data-items"];
  /* The words are the server's, in the customer's language (data-messages, or widget.json's
     "messages"); a key stands in for a missing one. */
  var SCOPES = { first: "scope_first", all: "scope_all", first_n: "scope_first_n" };
  /* What a later visit of a series costs, said in the summary (keys of the messages). */
  var LATER = { first: "later_first", all: "later_all", first_n: "later_first_n" };
  /* The parts the widget works with; an element missing one gets the markup built. */
  var PARTS = ["toggle", "entry", "input", "apply", "applied", "applied-text", "remove", "error"]
    .map(function (part) { return ".advik-coupon__" + part; })
    .concat(["[data-advik-field='applied-code']", "[data-advik-row='discount']"]);
  /* mount() options, each setting data-<kebab-case name> (items: an array, or its JSON). */
  var OPTIONS = ["applyUrl", "subtotal", "email", "bookingDate", "bookingTime", "bookingType",
                 "items", "form", "fieldName", "code", "currency", "taxRate", "locale"];
  var SCRIPT_SUFFIX = /\/static\/advik-coupon\.js(?:[?#].*)?$/;
  var script = document.currentScript;  /* .../coupons/static/advik-coupon.js -> .../coupons */
  var serviceBase = script && SCRIPT_SUFFIX.test(script.src) ? script.src.replace(SCRIPT_SUFFIX, "")
    : null;
  var built = 0, configs = {};

  /* Amounts in the currency's minor unit (places: 0 for JPY, 2 for USD, 3 for KWD). */
  function toUnits(text, places) {
    var match = /^(\d+)(?:\.(\d+))?$/.exec(String(text || "0").trim());
    if (!match) { return BigInt(0); }
    var digits = ((match[2] || "") + "000").slice(0, places);
    return BigInt(match[1]) * BigInt(10) ** BigInt(places) + BigInt(digits || "0");
  }

  function fromUnits(units, places) {
    var negative = units < BigInt(0);
    var abs = negative ? -units : units;
    var scale = BigInt(10) ** BigInt(places);
    var part = String(abs % scale);
    while (part.length < places) { part = "0" + part; }
    return (negative ? "-" : "") + String(abs / scale) + (places ? "." + part : "");
  }

  /* Tax on the subtotal (no coupon), half-up to the minor unit, in exact integer arithmetic. */
  function baseline(subtotalText, rateText, places) {
    var subtotal = toUnits(subtotalText, places);
    var rate = /^(\d+)(?:\.(\d+))?$/.exec(String(rateText || "0").trim()) || ["", "0", ""];
    var decimals = (rate[2] || "").length;
    var numerator = BigInt(rate[1] + (rate[2] || ""));
    var denominator = BigInt(100) * BigInt(10) ** BigInt(decimals);
    var tax = (subtotal * numerator * BigInt(2) + denominator) / (denominator * BigInt(2));
    return { subtotal: fromUnits(subtotal, places), discount: fromUnits(BigInt(0), places),
             tax: fromUnits(tax, places), total: fromUnits(subtotal + tax, places) };
  }

  function readMessages(root) {
    try {
      return JSON.parse(root.getAttribute("data-messages") || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function Widget(root) {
    this.root = root;
    this.url = root.getAttribute("data-apply-url") || (serviceBase && serviceBase + "/apply");
    this.toggle = root.querySelector(".advik-coupon__toggle");
    this.entry = root.querySelector(".advik-coupon__entry");
    this.input = root.querySelector(".advik-coupon__input");
    this.button = root.querySelector(".advik-coupon__apply");
    this.applied = root.querySelector(".advik-coupon__applied");
    this.appliedText = root.querySelector(".advik-coupon__applied-text");
    this.removeButton = root.querySelector(".advik-coupon__remove");
    this.error = root.querySelector(".advik-coupon__error");
    this.hidden = root.querySelector("[data-advik-field='applied-code']");
    this.discountRow = root.querySelector("[data-advik-row='discount']");
    this.code = null;
    this.sequence = 0;
    this.submitting = false;
    this.laterRow = root.querySelector("[data-advik-row='later']");
    this.currency = root.getAttribute("data-currency") || "USD";
    this.places = Number(root.getAttribute("data-decimals") || "2");
    this.messages = readMessages(root);
    this.locale = root.getAttribute("data-locale") || "";
    var locale = this.locale || document.documentElement.lang || undefined;
    try {
      this.format = new Intl.NumberFormat(locale, { style: "currency", currency: this.currency });
    } catch (e) {
      this.format = null;
    }
    try {
      this.lists = new Intl.ListFormat(locale, { style: "long", type: "conjunction" });
    } catch (e) {
      this.lists = null;
    }
    this.bind();
    this.fromLink = null;
    var linked = this.linkedCode();
    if (linked) {
      this.input.value = linked;
      this.fromLink = linked.toUpperCase();
      this.open(false);
      this.apply();
    } else if (this.input.value.trim()) {
      this.open(false);
    }
  }

  /* A code a campaign link brought: remembered by the server (data-auto-apply) or in
     the page's own address (?coupon=CODE). */
  Widget.prototype.linkedCode = function () {
    if (this.root.getAttribute("data-auto-apply") && this.input.value.trim()) {
      return this.input.value.trim();
    }
    var match = /[?&]coupon=([^&#]*)/.exec(window.location.search || "");
    if (!match) { return ""; }
    try {
      return decodeURIComponent(match[1].replace(/\+/g, " ")).trim().slice(0, 50);
    } catch (e) {
      return "";
    }
  };

  /* One of the server's messages, its {name} values filled in. */
  Widget.prototype.t = function (key, values) {
    var text = this.messages[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  };

  Widget.prototype.money = function (text) {
    var number = Number(text);
    if (this.format && isFinite(number)) { return this.format.format(number); }
    return text + " " + this.currency;
  };

  Widget.prototype.bind = function () {
    var self = this;
    this.toggle.addEventListener("click", function () {
      if (self.entry.hidden) { self.open(true); } else { self.close(); }
    });
    this.button.addEventListener("click", function () { self.apply(); });
    this.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); /* never submit the host's form from the code field */
        self.apply();
      }
    });
    this.input.addEventListener("input", function () {
      self.input.removeAttribute("aria-invalid");
    });
    this.removeButton.addEventListener("click", function () { self.remove(true); });
    var form = this.hidden.form;
    if (form) {
      form.addEventListener("submit", function (event) { self.beforeSubmit(event, form); });
    }
    if (window.MutationObserver) {
      new MutationObserver(function () { self.bookingChanged(); })
        .observe(this.root, { attributes: true, attributeFilter: BOOKING_ATTRS });
    }
  };

  /* The code in the field, when it is not the one applied ("" when there is none). */
  Widget.prototype.pendingCode = function () {
    var typed = this.input.value.trim();
    return typed && typed.toUpperCase() !== this.code ? typed : "";
  };

  /* The host's form is being sent: a typed code is applied first, never dropped. */
  Widget.prototype.beforeSubmit = function (event, form) {
    if (this.submitting) {
      event.preventDefault();
      return;
    }
    if (!this.pendingCode()) { return; }
    event.preventDefault();
    this.submitting = true;
    var submitter = event.submitter || null;
    var self = this;
    this.apply(false).then(function (ok) {
      self.submitting = false;
      if (!ok) {
        self.error.textContent += " " + self.t("not_applied");
        self.input.focus();
        return;
      }
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  };

  Widget.prototype.open = function (focus) {
    this.entry.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    if (focus) { this.input.focus(); }
  };

  Widget.prototype.close = function () {
    this.entry.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
  };

  Widget.prototype.lines = function () {
    try {
      var lines = JSON.parse(this.root.getAttribute("data-items") || "[]");
      return Array.isArray(lines) ? lines : [];
    } catch (e) {
      return [];
    }
  };

  Widget.prototype.booking = function (code) {
    var body = { code: code, subtotal: this.root.getAttribute("data-subtotal") || "0" };
    if (this.locale) { body.locale = this.locale; }
    var extra = { email: "data-email", booking_date: "data-booking-date",
                  booking_time: "data-booking-time", booking_type: "data-booking-type" };
    Object.keys(extra).forEach(function (key) {
      var value = this.root.getAttribute(extra[key]);
      if (value) { body[key] = value; }
    }, this);
    var lines = this.lines();
    if (lines.length) {
      body.items = lines.map(function (line) {
        var copy = {};
        ["service", "staff", "location", "quantity", "unit_price"].forEach(function (key) {
          if (line[key] !== undefined && line[key] !== null && line[key] !== "") {
            copy[key] = line[key];
          }
        });
        return copy;
      });
      delete body.subtotal;  /* the server adds the lines up */
    }
    return body;
  };

  /* What the customer should know besides the amount: which lines, and later visits. */
  Widget.prototype.details = function (data) {
    var notes = [];
    var names = this.lines().map(function (line) { return line.name || line.service; });
    if (Array.isArray(data.items) && data.items.some(function (i) { return !i.eligible; })) {
      var discounted = data.items.map(function (item, index) {
        return item.eligible && Number(item.discount) !== 0 ? names[index] || item.service : null;
      }).filter(Boolean);
      if (discounted.length) {
        var lines = this.lists ? this.lists.format(discounted) : discounted.join(", ");
        notes.push(this.t("discount_on", { lines: lines }));
      }
    }
    if (data.recurring_scope && SCOPES[data.recurring_scope]) {
      notes.push(this.t(SCOPES[data.recurring_scope], { n: data.recurring_occurrences || "" }));
    }
    return notes;
  };

  Widget.prototype.showSummary = function (amounts, code) {
    FIELDS.forEach(function (name) {
      var cell = this.root.querySelector("[data-advik-field='" + name + "']");
      if (!cell) { return; }
      var shown = this.money(amounts[name]);
      cell.textContent = name === "discount" ? "\u2212" + shown : shown;
    }, this);
    var codeCell = this.root.querySelector(".advik-summary__code");
    if (codeCell) { codeCell.textContent = code ? "(" + code + ")" : ""; }
    this.discountRow.hidden = !code;
  };

  /* What each later visit of a series costs (hidden for a one-time booking). */
  Widget.prototype.showLater = function (data) {
    if (!this.laterRow) { return; }
    var said = data && LATER[data.recurring_scope];
    this.laterRow.hidden = !said;
    if (!said) { return; }
    var full = baseline(data.subtotal, this.root.getAttribute("data-tax-rate"), this.places).total;
    this.laterRow.querySelector("[data-advik-field='later']").textContent = this.t(said, {
      full: this.money(full), total: this.money(data.total), n: data.recurring_occurrences || ""
    });
  };

  Widget.prototype.setBusy = function (busy) {
    this.button.disabled = busy;
    this.root.setAttribute("aria-busy", busy ? "true" : "false");
    this.button.textContent = busy ? this.t("applying") : this.t("apply");
  };

  Widget.prototype.showError = function (message) {
    this.applied.hidden = true;
    this.error.classList.remove("advik-coupon__note");
    this.error.textContent = message;
    this.input.setAttribute("aria-invalid", "true");
  };

  Widget.prototype.apply = function (quiet) {
    var code = (quiet ? this.code : this.input.value).trim();
    if (!this.url) {
      this.showError(this.t("no_service"));
      return Promise.resolve(false);
    }
    if (!code) {
      this.showError(this.t("enter_code"));
      this.input.focus();
      return Promise.resolve(false);
    }
    var self = this;
    var ticket = ++this.sequence;
    this.setBusy(true);
    this.error.textContent = "";
    return fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(this.booking(code))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      if (ticket !== self.sequence) { return false; }
      if (result.status === 200 && result.data.valid) {
        self.applyResult(result.data);
        return true;
      }
      self.rejected(result.status, result.data);
      return false;
    }, function () {
      if (ticket !== self.sequence) { return false; }
      self.showError(self.t("offline"));
      return false;
    }).then(function (ok) {
      if (ticket === self.sequence) { self.setBusy(false); }
      return ok;
    });
  };

  Widget.prototype.applyResult = function (data) {
    this.code = data.code;
    this.hidden.value = data.code;
    this.showSummary(data, data.code);
    this.showLater(data);
    this.error.textContent = "";
    this.input.removeAttribute("aria-invalid");
    this.appliedText.textContent = this.t(this.fromLink === data.code ? "applied_link" : "applied",
                                          { code: data.code, amount: this.money(data.discount) });
    this.fromLink = null;
    this.details(data).forEach(function (note) {
      var line = document.createElement("span");
      line.className = "advik-coupon__detail";
      line.textContent = note;
      this.appliedText.appendChild(line);
    }, this);
    var total = document.createElement("span");
    total.className = "advik-visually-hidden";
    total.textContent = " " + this.t("new_total", { amount: this.money(data.total) });
    this.appliedText.appendChild(total);
    this.applied.hidden = false;
    this.close();
    this.toggle.hidden = true;
    this.removeButton.focus();
    this.root.dispatchEvent(new CustomEvent("advik:coupon-applied", { detail: data, bubbles: true }));
  };

  Widget.prototype.rejected = function (status, data) {
    this.fromLink = null;
    var message = data && data.message;
    if (!message && data && data.errors) {
      var keys = Object.keys(data.errors);
      message = keys.length ? data.errors[keys[0]] : "";
    }
    if (this.code) { this.remove(false); }
    this.open(false);
    this.showError(message || this.t(status === 429 ? "rate_limited" : "failed"));
  };

  Widget.prototype.remove = function (byUser) {
    this.code = null;
    this.sequence++;
    this.setBusy(false);
    this.hidden.value = "";
    this.applied.hidden = true;
    this.appliedText.textContent = "";
    this.showLater(null);
    this.showBaseline();
    this.toggle.hidden = false;
    if (byUser) {
      this.error.classList.add("advik-coupon__note");
      this.error.textContent = this.t("removed");
      this.input.value = "";
      this.open(true);
    }
    this.root.dispatchEvent(new CustomEvent("advik:coupon-removed", { bubbles: true }));
  };

  Widget.prototype.bookingChanged = function () {
    if (this.code) {
      this.apply(true);
    } else {
      this.showBaseline();
    }
  };

  /* The summary without a coupon, from the booking's subtotal and the site's tax rate. */
  Widget.prototype.showBaseline = function () {
    this.showSummary(baseline(this.root.getAttribute("data-subtotal"),
                              this.root.getAttribute("data-tax-rate"), this.places), null);
  };

  /* Build the widget inside a bare element from the service's markup (the inside of
     templates/advik/coupon_widget.html); what was there (a plain field) goes. */
  function build(root, config) {
    var id = "advik-coupon-js-" + (++built);
    var typed = root.querySelector("input[name]");
    var code = root.getAttribute("data-code") || (typed && typed.value) || "";
    var known = { "data-currency": config.currency, "data-tax-rate": config.tax_rate,
                  "data-decimals": config.decimals, "data-locale": config.locale,
                  "data-messages": JSON.stringify(config.messages || {}) };
    Object.keys(known).forEach(function (name) {
      if (!root.getAttribute(name) && known[name] !== undefined) {
        root.setAttribute(name, known[name]);
      }
    });
    root.classList.add("advik-coupon");
    root.setAttribute("aria-label", (config.messages || {}).summary || "");
    root.innerHTML = String(config.markup).split("__ADVIK_ID__").join(id);
    root.querySelector(".advik-coupon__input").value = code;
    var hidden = root.querySelector("[data-advik-field='applied-code']");
    hidden.name = root.getAttribute("data-field-name") || "coupon_code";
    hidden.removeAttribute("form");
    var form = root.getAttribute("data-form");
    if (form) { hidden.setAttribute("form", form); }
  }

  function complete(root) {
    return PARTS.every(function (part) { return root.querySelector(part); });
  }

  /* GET <service>/coupons/widget.json once per service: {currency, decimals, tax_rate, locale,
     messages, markup}. */
  function loadConfig(applyUrl) {
    var url = String(applyUrl).replace(/\/apply(?:[?#].*)?$/, "/widget.json");
    if (!configs[url]) {
      configs[url] = fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("widget.json answered " + response.status); }
          return response.json();
        });
    }
    return configs[url];
  }

  function fail(root, error) {  /* never break the host's page; a plain field stays usable */
    root.setAttribute("data-advik-error", String(error && error.message || error));
    if (window.console) { console.warn("Advik Coupons: the widget could not start:", error); }
    return null;
  }

  function launch(root, bare) {
    try {
      var widget = new Widget(root);
      if (bare) { widget.showBaseline(); }
      root.advikCoupon = widget;
      root.setAttribute("data-advik-ready", "true");  // scripts and tests may wait for it
      return widget;
    } catch (error) {
      return fail(root, error);
    }
  }

  /* Start one widget: at once when its markup is there, else built from widget.json.
     Resolves to the widget, or null when it could not start. */
  function start(root) {
    if (root.advikStarting) { return root.advikStarting; }
    var url = root.getAttribute("data-apply-url") || (serviceBase && serviceBase + "/apply");
    if (url) { root.setAttribute("data-apply-url", url); }
    if (complete(root)) {
      root.advikStarting = Promise.resolve(launch(root, false));
    } else {
      root.advikStarting = (url ? loadConfig(url) : Promise.reject(new Error("no data-apply-url")))
        .then(function (config) { build(root, config); return launch(root, true); })
        .catch(function (error) { return fail(root, error); });
    }
    return root.advikStarting;
  }

  function init(scope) {
    var roots = (scope || document).querySelectorAll("[data-advik-coupon]");
    Array.prototype.forEach.call(roots, start);
  }

  /* Turn an element into the widget: options set its data attributes (see the top);
     resolves to the widget, or null when it could not start. */
  function mount(target, options) {
    var root = typeof target === "string" ? document.querySelector(target) : target;
    if (!root) { throw new Error("AdvikCoupon.mount: no element " + target); }
    Object.keys(options || {}).forEach(function (key) {
      var value = options[key];
      if (OPTIONS.indexOf(key) < 0 || value === undefined || value === null) { return; }
      var name = "data-" + key.replace(/[A-Z]/g, function (c) { return "-" + c.toLowerCase(); });
      root.setAttribute(name, typeof value === "object" ? JSON.stringify(value) : String(value));
    });
    root.setAttribute("data-advik-coupon", "");
    return start(root);
  }

  window.AdvikCoupon = { init: init, mount: mount };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
