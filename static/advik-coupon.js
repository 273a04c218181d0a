/* Advik Coupons: the "Have a coupon code?" widget of the payment step.
 *
 * No framework. Finds every [data-advik-coupon] element (rendered by
 * templates/advik/coupon_widget.html), reads the booking from its data
 * attributes (subtotal, email, booking-date, booking-time, booking-type, and
 * items: the booking's lines as JSON, each line's "name" shown to the
 * customer), posts the code to
 * data-apply-url and shows the server's answer: the new price summary and a
 * green "Coupon applied" line, or the server's message in red. The host page
 * may change the data attributes (a new subtotal…): an applied code is then
 * checked again. Events for the host: "advik:coupon-applied" (detail: the
 * server's answer) and "advik:coupon-removed", both on the widget element.
 */
(function () {
  "use strict";

  var FIELDS = ["subtotal", "discount", "tax", "total"];
  var BOOKING_ATTRS = ["data-subtotal", "data-email", "data-booking-date", "data-booking-time",
                       "data-booking-type", "data-items"];
  var SCOPES = {
    first: "Only the first visit is discounted; later visits are at the full price.",
    all: "Every visit of the series is discounted.",
    first_n: "The first {n} visits are discounted; later visits are at the full price."
  };

  function toCents(text) {
    var match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text || "0").trim());
    if (!match) { return BigInt(0); }
    return BigInt(match[1]) * BigInt(100) + BigInt(((match[2] || "") + "00").slice(0, 2));
  }

  function fromCents(cents) {
    var negative = cents < BigInt(0);
    var abs = negative ? -cents : cents;
    var whole = abs / BigInt(100);
    var part = String(abs % BigInt(100));
    return (negative ? "-" : "") + String(whole) + "." + (part.length < 2 ? "0" + part : part);
  }

  /* Tax on the subtotal (no coupon), half-up to the cent, in exact integer arithmetic. */
  function baseline(subtotalText, rateText) {
    var subtotal = toCents(subtotalText);
    var rate = /^(\d+)(?:\.(\d+))?$/.exec(String(rateText || "0").trim()) || ["", "0", ""];
    var decimals = (rate[2] || "").length;
    var numerator = BigInt(rate[1] + (rate[2] || ""));
    var denominator = BigInt(100) * BigInt(10) ** BigInt(decimals);
    var tax = (subtotal * numerator * BigInt(2) + denominator) / (denominator * BigInt(2));
    return { subtotal: fromCents(subtotal), discount: "0.00", tax: fromCents(tax),
             total: fromCents(subtotal + tax) };
  }

  function Widget(root) {
    this.root = root;
    this.currency = root.getAttribute("data-currency") || "USD";
    this.url = root.getAttribute("data-apply-url");
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
    var locale = document.documentElement.lang || undefined;
    try {
      this.format = new Intl.NumberFormat(locale, { style: "currency", currency: this.currency });
    } catch (e) {
      this.format = null;
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
    if (window.MutationObserver) {
      new MutationObserver(function () { self.bookingChanged(); })
        .observe(this.root, { attributes: true, attributeFilter: BOOKING_ATTRS });
    }
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
        return item.eligible && item.discount !== "0.00" ? names[index] || item.service : null;
      }).filter(Boolean);
      if (discounted.length) { notes.push("Discount on " + discounted.join(", ") + "."); }
    }
    if (data.recurring_scope && SCOPES[data.recurring_scope]) {
      notes.push(SCOPES[data.recurring_scope].replace("{n}", data.recurring_occurrences || ""));
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

  Widget.prototype.setBusy = function (busy) {
    this.button.disabled = busy;
    this.root.setAttribute("aria-busy", busy ? "true" : "false");
    this.button.textContent = busy ? "Applying\u2026" : "Apply";
  };

  Widget.prototype.showError = function (message) {
    this.applied.hidden = true;
    this.error.classList.remove("advik-coupon__note");
    this.error.textContent = message;
    this.input.setAttribute("aria-invalid", "true");
  };

  Widget.prototype.apply = function (quiet) {
    var code = (quiet ? this.code : this.input.value).trim();
    if (!code) {
      this.showError("Enter a coupon code.");
      this.input.focus();
      return;
    }
    var self = this;
    var ticket = ++this.sequence;
    this.setBusy(true);
    this.error.textContent = "";
    fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(this.booking(code))
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (result) {
      if (ticket !== self.sequence) { return; }
      if (result.status === 200 && result.data.valid) {
        self.applyResult(result.data);
      } else {
        self.rejected(result.status, result.data);
      }
    }, function () {
      if (ticket !== self.sequence) { return; }
      self.showError("We could not reach the server. Check your connection and try again.");
    }).then(function () {
      if (ticket === self.sequence) { self.setBusy(false); }
    });
  };

  Widget.prototype.applyResult = function (data) {
    this.code = data.code;
    this.hidden.value = data.code;
    this.showSummary(data, data.code);
    this.error.textContent = "";
    this.input.removeAttribute("aria-invalid");
    this.appliedText.textContent = (this.fromLink === data.code
      ? data.code + " from your link was applied \u2014 you save "
      : "Coupon applied: " + data.code + " \u2014 you save ") + this.money(data.discount) + ".";
    this.fromLink = null;
    this.details(data).forEach(function (note) {
      var line = document.createElement("span");
      line.className = "advik-coupon__detail";
      line.textContent = note;
      this.appliedText.appendChild(line);
    }, this);
    var total = document.createElement("span");
    total.className = "advik-visually-hidden";
    total.textContent = " New total " + this.money(data.total) + ".";
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
    this.showError(message || (status === 429
      ? "Too many attempts. Please wait a moment and try again."
      : "This coupon can't be applied right now. Please try again."));
  };

  Widget.prototype.remove = function (byUser) {
    this.code = null;
    this.sequence++;
    this.setBusy(false);
    this.hidden.value = "";
    this.applied.hidden = true;
    this.appliedText.textContent = "";
    this.showSummary(baseline(this.root.getAttribute("data-subtotal"),
                              this.root.getAttribute("data-tax-rate")), null);
    this.toggle.hidden = false;
    if (byUser) {
      this.error.classList.add("advik-coupon__note");
      this.error.textContent = "Coupon removed.";
      this.input.value = "";
      this.open(true);
    }
    this.root.dispatchEvent(new CustomEvent("advik:coupon-removed", { bubbles: true }));
  };

  Widget.prototype.bookingChanged = function () {
    if (this.code) {
      this.apply(true);
    } else {
      this.showSummary(baseline(this.root.getAttribute("data-subtotal"),
                                this.root.getAttribute("data-tax-rate")), null);
    }
  };

  function init(scope) {
    var roots = (scope || document).querySelectorAll("[data-advik-coupon]");
    Array.prototype.forEach.call(roots, function (root) {
      if (!root.advikCoupon) {
        root.advikCoupon = new Widget(root);
        root.setAttribute("data-advik-ready", "true");  // scripts and tests may wait for it
      }
    });
  }

  window.AdvikCoupon = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
