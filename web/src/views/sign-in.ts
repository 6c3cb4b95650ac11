// Sign-in for restaurant staff and operators. A refusal shows the API's own
// message (the same one for an unknown email and a wrong password, so the
// form cannot be used to find accounts).
import { type ApiClient, ApiError } from "../api.ts";
import { h, type View } from "../dom.ts";

export function signInView(api: ApiClient, options: { notice?: string; demoHint: boolean }): View {
  const error = h("p", { class: "error", id: "sign-in-error", role: "alert", "aria-live": "assertive" });
  if (options.notice) error.textContent = options.notice;
  const email = h("input", {
    id: "email",
    name: "email",
    type: "email",
    autocomplete: "username",
    required: true,
    "aria-describedby": "sign-in-error",
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    "aria-describedby": "sign-in-error",
  });
  const submit = h("button", { type: "submit", class: "primary wide" }, "Sign in");
  const form = h(
    "form",
    { class: "sign-in-form", "aria-labelledby": "sign-in-title", novalidate: true },
    h("h1", { id: "sign-in-title" }, "Sign in to the console"),
    h("p", { class: "muted" }, "For restaurant staff and operators."),
    h("div", { class: "field" }, h("label", { for: "email" }, "Email"), email),
    h("div", { class: "field" }, h("label", { for: "password" }, "Password"), password),
    error,
    submit,
    options.demoHint
      ? h(
          "p",
          { class: "muted hint" },
          "Local demo: staff+<restaurant-slug>@demo.test / demo-staff-pass, or admin@demo.test / demo-admin-pass.",
        )
      : null,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!email.value.trim() || !password.value) {
      error.textContent = "Enter your email and password.";
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      // The session listener in main.ts takes over from here.
      await api.signIn(email.value.trim(), password.value);
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.describe() : "Sign-in failed; try again.";
      password.select();
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });

  return { el: h("main", { class: "sign-in", id: "main" }, form) };
}
