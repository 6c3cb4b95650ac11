// The Stripe stand-in's Stripe.js (served at /v3/): the slice of Stripe.js's
// API the customer app uses, with the same shapes, so an app written for
// js.stripe.com runs unchanged against the local stand-in:
//   const stripe = Stripe("pk_test_...", { locale });
//   const card = stripe.elements().create("card"); card.mount(element); card.on("change", fn);
//   await stripe.retrievePaymentIntent(clientSecret)            -> { paymentIntent } | { error }
//   await stripe.confirmCardPayment(clientSecret, { payment_method: { card } | "pm_card_visa" })
// Card numbers are Stripe's test cards (4242 4242 4242 4242 pays, 4000 0000 0000 0002 is
// declined, 4000 0027 6000 3184 asks for 3-D Secure: a dialog offers Complete or Fail).
// Dev tooling only: real Stripe.js renders the card field in Stripe's iframe.
(() => {
  const script = document.currentScript;
  const base = script ? new URL(script.src).origin : window.location.origin;

  const TEST_CARDS = {
    4242424242424242: "pm_card_visa",
    4000056655665556: "pm_card_visa_debit",
    5555555555554444: "pm_card_mastercard",
    378282246310005: "pm_card_amex",
    4000000000000002: "pm_card_chargeDeclined",
    4000000000009995: "pm_card_chargeDeclinedInsufficientFunds",
    4000000000000069: "pm_card_chargeDeclinedExpiredCard",
    4000000000000127: "pm_card_chargeDeclinedIncorrectCvc",
    4000002760003184: "pm_card_threeDSecure2Required",
    4000002500003155: "pm_card_authenticationRequired",
  };

  const WORDS = {
    en: {
      number: "Card number",
      expiry: "Expiry (MM / YY)",
      cvc: "CVC",
      invalid: "Your card number is invalid.",
      incomplete: "Your card number is incomplete.",
      notTest: "Your card was declined. Your request was in test mode, but used a non test card.",
      expiryInvalid: "Your card's expiration date is incomplete.",
      cvcInvalid: "Your card's security code is incomplete.",
    },
    pt: {
      number: "Número do cartão",
      expiry: "Validade (MM / AA)",
      cvc: "CVC",
      invalid: "O número do cartão é inválido.",
      incomplete: "O número do cartão está incompleto.",
      notTest: "O cartão foi recusado. O pedido estava em modo de teste, mas usou um cartão real.",
      expiryInvalid: "A data de validade do cartão está incompleta.",
      cvcInvalid: "O código de segurança do cartão está incompleto.",
    },
  };

  function luhn(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i += 1) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return digits.length >= 13 && sum % 10 === 0;
  }

  function intentId(clientSecret) {
    return String(clientSecret).split("_secret_")[0];
  }

  function cardElement(words) {
    const listeners = {};
    let root = null;
    const inputs = {};
    const state = { number: "", expiry: "", cvc: "" };

    function validity() {
      const digits = state.number.replace(/\D/g, "");
      if (!digits) return { empty: true, complete: false, error: undefined };
      if (digits.length < 13) return { empty: false, complete: false, error: undefined };
      if (!luhn(digits))
        return {
          empty: false,
          complete: false,
          error: { type: "validation_error", code: "invalid_number", message: words.invalid },
        };
      const expiryOk = /^\d{2}\s*\/?\s*\d{2}$/.test(state.expiry.trim());
      const cvcOk = /^\d{3,4}$/.test(state.cvc.trim());
      return { empty: false, complete: expiryOk && cvcOk, error: undefined };
    }

    function emit(event, payload) {
      for (const fn of listeners[event] || []) fn(payload);
    }

    function field(name, label, autocomplete, placeholder, width) {
      const input = document.createElement("input");
      input.setAttribute("aria-label", label);
      input.setAttribute("autocomplete", autocomplete);
      input.setAttribute("inputmode", "numeric");
      input.setAttribute("data-stripe-standin", name);
      input.placeholder = placeholder;
      input.style.cssText = `flex:${width};min-width:0;width:0;border:0;outline:none;font:inherit;padding:0.55rem 0.4rem;background:transparent;color:inherit`;
      input.addEventListener("input", () => {
        state[name] = input.value;
        const v = validity();
        emit("change", { elementType: "card", empty: v.empty, complete: v.complete, error: v.error, brand: "unknown" });
      });
      input.addEventListener("focus", () => emit("focus", { elementType: "card" }));
      input.addEventListener("blur", () => emit("blur", { elementType: "card" }));
      inputs[name] = input;
      return input;
    }

    return {
      mount(target) {
        const host = typeof target === "string" ? document.querySelector(target) : target;
        if (!host) throw new Error("Stripe stand-in: mount target not found");
        root = document.createElement("div");
        root.className = "StripeElement StripeElement--standin";
        root.style.cssText = "display:flex;gap:0.25rem;align-items:center";
        root.append(
          field("number", words.number, "cc-number", "1234 1234 1234 1234", 3),
          field("expiry", words.expiry, "cc-exp", "MM / YY", 1.3),
          field("cvc", words.cvc, "cc-csc", "CVC", 1),
        );
        host.replaceChildren(root);
        emit("ready", { elementType: "card" });
      },
      on(event, fn) {
        listeners[event] = listeners[event] || [];
        listeners[event].push(fn);
        return this;
      },
      off(event, fn) {
        listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
        return this;
      },
      focus() {
        inputs.number?.focus();
      },
      clear() {
        for (const name of Object.keys(inputs)) {
          inputs[name].value = "";
          state[name] = "";
        }
      },
      unmount() {
        root?.remove();
        root = null;
      },
      destroy() {
        this.unmount();
      },
      // The stand-in's own: which test PaymentMethod the typed card stands for.
      _standinPaymentMethod() {
        const digits = state.number.replace(/\D/g, "");
        const v = validity();
        if (v.error) return { error: v.error };
        if (digits.length < 13)
          return { error: { type: "validation_error", code: "incomplete_number", message: words.incomplete } };
        if (!/^\d{2}\s*\/?\s*\d{2}$/.test(state.expiry.trim())) {
          return { error: { type: "validation_error", code: "incomplete_expiry", message: words.expiryInvalid } };
        }
        if (!/^\d{3,4}$/.test(state.cvc.trim())) {
          return { error: { type: "validation_error", code: "incomplete_cvc", message: words.cvcInvalid } };
        }
        const token = TEST_CARDS[digits];
        if (!token)
          return {
            error: {
              type: "card_error",
              code: "card_declined",
              decline_code: "test_mode_live_card",
              message: words.notTest,
            },
          };
        return { paymentMethod: token };
      },
    };
  }

  // Stripe's test 3-D Secure page, as a dialog in the page: Complete or Fail.
  function challenge() {
    return new Promise((resolve) => {
      const overlay = document.createElement("div");
      overlay.style.cssText =
        "position:fixed;inset:0;box-sizing:border-box;background:rgba(15,23,42,0.55);display:flex;align-items:center;justify-content:center;z-index:2147483647;padding:1rem";
      const dialog = document.createElement("div");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-labelledby", "stripe-standin-3ds-title");
      dialog.style.cssText =
        "box-sizing:border-box;background:#fff;color:#1e293b;border-radius:12px;padding:1.25rem;max-width:22rem;width:100%;font:16px/1.4 system-ui,sans-serif;box-shadow:0 10px 40px rgba(0,0,0,0.3)";
      const title = document.createElement("h2");
      title.id = "stripe-standin-3ds-title";
      title.textContent = "3D Secure 2 Test Page";
      title.style.cssText = "font-size:1.1rem;margin:0 0 0.5rem";
      const text = document.createElement("p");
      text.textContent = "This is a test payment. Complete or fail the authentication your bank would ask for.";
      text.style.cssText = "margin:0 0 1rem";
      const row = document.createElement("div");
      row.style.cssText = "display:flex;gap:0.5rem;justify-content:flex-end";
      const finish = (passed) => {
        overlay.remove();
        resolve(passed);
      };
      for (const [label, passed, colour] of [
        ["Fail authentication", false, "#475569"],
        ["Complete authentication", true, "#166534"],
      ]) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.style.cssText = `background:${colour};color:#fff;border:0;border-radius:8px;padding:0.6rem 0.9rem;font:inherit;cursor:pointer`;
        button.addEventListener("click", () => finish(passed));
        row.append(button);
      }
      dialog.append(title, text, row);
      overlay.append(dialog);
      document.body.append(overlay);
      row.lastChild.focus();
    });
  }

  window.Stripe = function Stripe(publishableKey, options) {
    if (!/^pk_test_/.test(String(publishableKey))) {
      throw new Error("The Stripe stand-in takes test publishable keys (pk_test_...) only.");
    }
    const locale = String(options?.locale || navigator.language || "en").slice(0, 2);
    const words = WORDS[locale] || WORDS.en;

    async function call(method, path, params) {
      const body = new URLSearchParams(params).toString();
      const url = method === "GET" ? `${base}${path}?${body}` : `${base}${path}`;
      try {
        const response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${publishableKey}`,
            ...(method === "GET" ? {} : { "content-type": "application/x-www-form-urlencoded" }),
          },
          body: method === "GET" ? undefined : body,
        });
        const json = await response.json();
        return response.ok ? { paymentIntent: json } : { error: json.error };
      } catch (err) {
        return { error: { type: "api_connection_error", message: String(err?.message || err) } };
      }
    }

    return {
      elements() {
        return {
          create(type) {
            if (type !== "card") throw new Error(`The Stripe stand-in has the card element only, not ${type}.`);
            return cardElement(words);
          },
        };
      },
      retrievePaymentIntent(clientSecret) {
        return call("GET", `/v1/payment_intents/${intentId(clientSecret)}`, { client_secret: clientSecret });
      },
      async confirmCardPayment(clientSecret, data) {
        const pm = data?.payment_method;
        let token = typeof pm === "string" ? pm : null;
        if (!token && pm?.card?._standinPaymentMethod) {
          const chosen = pm.card._standinPaymentMethod();
          if (chosen.error) return { error: chosen.error };
          token = chosen.paymentMethod;
        }
        if (!token) return { error: { type: "invalid_request_error", message: "Missing payment_method." } };
        const id = intentId(clientSecret);
        const first = await call("POST", `/v1/payment_intents/${id}/confirm`, {
          client_secret: clientSecret,
          payment_method: token,
        });
        if (first.error || first.paymentIntent.status !== "requires_action") return first;
        const passed = await challenge();
        const after = await call("POST", `/v1/payment_intents/${id}/authenticate`, {
          client_secret: clientSecret,
          outcome: passed ? "succeed" : "fail",
        });
        if (after.error || after.paymentIntent.status === "succeeded") return after;
        const failure = after.paymentIntent.last_payment_error || {};
        return {
          error: {
            type: "invalid_request_error",
            code: failure.code || "payment_intent_authentication_failure",
            message:
              failure.message ||
              "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            payment_intent: after.paymentIntent,
          },
        };
      },
    };
  };
})();
