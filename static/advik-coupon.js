/* Advik Coupons: the "Have a coupon code?" widget of the payment step. No framework.
 *
 * Every [data-advik-coupon] element becomes a widget: it reads the booking from its data
 * attributes (subtotal, email, booking-date, booking-time, booking-type, and items: the
 * booking's lines as JSON, each line's "name" shown to the customer), posts the code to
 * data-apply-url (default: the apply endpoint of the service this script came from) and
 * shows the server's answer: the new summary and a green "Coupon applied" line, or the
 * server's message in red. Changed data attributes (a new subtotal) re-check an applied
 * code. Events on the element: "advik:coupon-applied" (detail: the answer), "advik:coupon-removed".
 *
 * Any page can use it, rendered by Jinja (templates/advik/coupon_widget.html) or not:
 *   <div data-advik-coupon data-subtotal="120.00" data-form="checkout"></div>
 *   <script src="https://coupons.example.com/coupons/static/advik-coupon.js" defer></script>
 * An element without the widget's markup gets it built inside (replacing what is there, e.g.
 * a plain field for browsers without JavaScript). More attributes: data-form (id of the
 * host's form that posts the code), data-field-name (default coupon_code), data-code;
 * without data-currency and data-tax-rate they come from the service's widget.json.
 * From a script: AdvikCoupon.mount(element, {subtotal: "120.00", form: "checkout"}).
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
  /* The parts the widget works with; an element missing one gets the markup built. */
  var PARTS = [".advik-coupon__toggle", ".advik-coupon__entry", ".advik-coupon__input",
               ".advik-coupon__apply", ".advik-coupon__applied", ".advik-coupon__applied-text",
               ".advik-coupon__remove", ".advik-coupon__error",
               "[data-advik-field='applied-code']", "[data-advik-row='discount']"];
  /* mount() options and the data attribute each one sets (items: an array, or its JSON). */
  var OPTIONS = { applyUrl: "data-apply-url", subtotal: "data-subtotal", email: "data-email",
                  bookingDate: "data-booking-date", bookingTime: "data-booking-time",
                  bookingType: "data-booking-type", items: "data-items", form: "data-form",
                  fieldName: "data-field-name", code: "data-code", currency: "data-currency",
                  taxRate: "data-tax-rate" };
  var SCRIPT_SUFFIX = /\/static\/advik-coupon\.js(?:[?#].*)?$/;
  /* Where this script came from: .../coupons/static/advik-coupon.js -> .../coupons */
  var serviceBase = (function () {
    var script = document.currentScript;
    var src = script && script.src;
    return src && SCRIPT_SUFFIX.test(src) ? src.replace(SCRIPT_SUFFIX, "") : null;
  })();
  var built = 0;
  var configs = {};

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
    this.summary = root.querySelector(".advik-summary");
    this.code = null;
    this.sequence = 0;
    this.setCurrency(root.getAttribute("data-currency") || "USD");
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

  Widget.prototype.setCurrency = function (currency) {
    this.currency = currency;
    var locale = document.documentElement.lang || undefined;
    try {
      this.format = new Intl.NumberFormat(locale, { style: "currency", currency: currency });
    } catch (e) {
      this.format = null;
    }
  };

  /* The site's currency and tax rate arrived (widget.json): show the summary. */
  Widget.prototype.configure = function (config) {
    this.root.setAttribute("data-currency", config.currency);
    this.root.setAttribute("data-tax-rate", config.tax_rate);
    this.setCurrency(config.currency);
    if (!this.code) { this.showBaseline(); }
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
    if (!this.url) {
      this.showError("Coupons are not available on this page.");
      return;
    }
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
    if (data.currency && data.currency !== this.currency) { this.setCurrency(data.currency); }
    if (this.summary) { this.summary.hidden = false; }
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
    this.showBaseline();
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
      this.showBaseline();
    }
  };

  /* The summary without a coupon; hidden while the site's tax rate is not known. */
  Widget.prototype.showBaseline = function () {
    var rate = this.root.getAttribute("data-tax-rate");
    if (rate === null) {
      if (this.summary) { this.summary.hidden = true; }
      return;
    }
    this.showSummary(baseline(this.root.getAttribute("data-subtotal"), rate), null);
    if (this.summary) { this.summary.hidden = false; }
  };

  /* The markup of templates/advik/coupon_widget.html; only generated ids go into it. */
  var MARKUP = [
    '<dl class="advik-summary" hidden>',
    '<div class="advik-summary__row"><dt>Subtotal</dt><dd data-advik-field="subtotal"></dd></div>',
    '<div class="advik-summary__row advik-summary__discount" data-advik-row="discount" hidden>',
    '<dt>Discount <span class="advik-summary__code" data-advik-field="code"></span></dt>',
    '<dd data-advik-field="discount"></dd></div>',
    '<div class="advik-summary__row"><dt>Tax</dt><dd data-advik-field="tax"></dd></div>',
    '<div class="advik-summary__row advik-summary__total"><dt>Total</dt>',
    '<dd data-advik-field="total"></dd></div></dl>',
    '<button type="button" class="advik-coupon__toggle" aria-expanded="false"',
    ' aria-controls="ID-entry">Have a coupon code?</button>',
    '<div class="advik-coupon__entry" id="ID-entry" hidden>',
    '<label class="advik-coupon__label" for="ID-code">Coupon code</label>',
    '<div class="advik-coupon__row"><input class="advik-coupon__input" id="ID-code" type="text"',
    ' autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="50"',
    ' enterkeyhint="go" aria-describedby="ID-status">',
    '<button type="button" class="advik-coupon__apply">Apply</button></div></div>',
    '<div class="advik-coupon__status" id="ID-status" role="status" aria-live="polite">',
    '<p class="advik-coupon__applied" hidden><span class="advik-coupon__applied-text"></span>',
    '<button type="button" class="advik-coupon__remove">Remove',
    '<span class="advik-visually-hidden"> coupon</span></button></p>',
    '<p class="advik-coupon__error"></p></div>',
    '<input type="hidden" value="" data-advik-field="applied-code">'
  ].join("");

  /* Build the widget inside a bare element (what was there, e.g. a plain field, goes). */
  function build(root) {
    var id = "advik-coupon-js-" + (++built);
    var typed = root.querySelector("input[name]");
    var code = root.getAttribute("data-code") || (typed && typed.value) || "";
    root.classList.add("advik-coupon");
    root.setAttribute("aria-label", "Coupon and price summary");
    root.innerHTML = MARKUP.replace(/ID-/g, id + "-");
    root.querySelector(".advik-coupon__input").value = code;
    var hidden = root.querySelector("[data-advik-field='applied-code']");
    hidden.name = root.getAttribute("data-field-name") || "coupon_code";
    if (root.getAttribute("data-form")) { hidden.setAttribute("form", root.getAttribute("data-form")); }
  }

  function complete(root) {
    return PARTS.every(function (part) { return root.querySelector(part); });
  }

  /* GET <service>/coupons/widget.json once per service; resolves to {currency, tax_rate}. */
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

  function start(root) {
    if (root.advikCoupon) { return root.advikCoupon; }
    try {
      var bare = !complete(root);
      if (bare) { build(root); }
      var widget = new Widget(root);
      root.advikCoupon = widget;
      var known = root.getAttribute("data-currency") && root.getAttribute("data-tax-rate");
      if (!known && widget.url) {
        loadConfig(widget.url).then(function (config) { widget.configure(config); },
          function (error) {
            if (window.console) { console.warn("Advik Coupons: no widget settings:", error); }
          });
      } else if (bare && known) {
        widget.configure({ currency: root.getAttribute("data-currency"),
                           tax_rate: root.getAttribute("data-tax-rate") });
      }
      if (!widget.url && window.console) {
        console.warn("Advik Coupons: set data-apply-url on", root);
      }
      root.setAttribute("data-advik-ready", "true");  // scripts and tests may wait for it
      return widget;
    } catch (error) {  /* never break the host's page */
      root.setAttribute("data-advik-error", String(error && error.message || error));
      if (window.console) { console.error("Advik Coupons: the widget could not start:", error); }
      return null;
    }
  }

  function init(scope) {
    var roots = (scope || document).querySelectorAll("[data-advik-coupon]");
    Array.prototype.forEach.call(roots, start);
  }

  /* Turn an element into the widget: options set its data attributes (see the top). */
  function mount(target, options) {
    var root = typeof target === "string" ? document.querySelector(target) : target;
    if (!root) { throw new Error("AdvikCoupon.mount: no element " + target); }
    Object.keys(options || {}).forEach(function (key) {
      var value = options[key];
      if (OPTIONS[key] && value !== undefined && value !== null) {
        root.setAttribute(OPTIONS[key], typeof value === "object" ? JSON.stringify(value) : String(value));
      }
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
