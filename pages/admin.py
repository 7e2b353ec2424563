"""Admin: accounts (create, deactivate, re-role, reset a password, assign a supervisor) and the
audit log. Admins only; every change is validated like the CLI and written to the audit log."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.auth_ui import require_role
from dashboard.db import engine
from dashboard.plain_text import md
from data_access.access import accounts
from data_access.access.audit import ACTIONS, audit_events
from data_access.access.passwords import MIN_PASSWORD_LENGTH
from data_access.reads.queries import visible_clinicians
from data_access.store.errors import DataError
from data_access.store.schema import ROLES

AUDIT_LIMIT = 500
NOBODY = "(nobody)"
FLASH_KEY = "admin_flash"

viewer = require_role("Admin", "admin")
st.title("Admin")
if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY))


def _apply(change, success: str) -> None:  # noqa: ANN001 - a no-argument callable
    """Run one account change; on success show the page again with the news, else the reason."""
    try:
        change()
    except DataError as exc:
        st.error(f"Not changed: {md(exc.reason)}.")
    else:
        st.session_state[FLASH_KEY] = success
        st.rerun()


accounts_tab, audit_tab = st.tabs(["Accounts", "Audit log"])

with accounts_tab:
    with engine().connect() as conn:
        table = accounts.list_accounts(conn, viewer)
        staff = visible_clinicians(conn, viewer)["email"].tolist()  # supervisors need no account
    emails = table["email"].tolist()

    st.subheader("All accounts")
    st.dataframe(
        table.fillna({"supervisor_email": "—"}),
        hide_index=True,
        column_config={
            "email": "Email",
            "name": "Name",
            "role": "Role",
            "supervisor_email": "Supervisor",
            "active": st.column_config.CheckboxColumn("Active"),
            "sign_in": "Signs in with",
            "created_at": st.column_config.DatetimeColumn("Created (UTC)", format="YYYY-MM-DD"),
        },
    )

    st.subheader("Create an account")
    with st.form("create_account", clear_on_submit=True, border=True):
        left, right = st.columns(2)
        email = left.text_input("New account's email")
        name = right.text_input("Name")
        role = left.selectbox("Role", ROLES)
        supervisor = right.selectbox("Supervisor", [NOBODY, *staff])
        password = left.text_input(
            "Initial password", type="password", help=f"At least {MIN_PASSWORD_LENGTH} characters"
        )
        sso_only = right.checkbox("Single sign-on only (no password)")
        if st.form_submit_button("Create account", type="primary"):
            _apply(
                lambda: accounts.create_user(
                    engine(),
                    email=email,
                    name=name,
                    role=role,
                    password=None if sso_only else password,
                    supervisor_email=None if supervisor == NOBODY else supervisor,
                    actor=viewer,
                ),
                f"Created the {role} account {md(email.strip().lower())}.",
            )

    st.subheader("Change an account")
    if not emails:
        st.info("There are no accounts yet.")
    else:
        target = st.selectbox("Account", emails, key="target")
        row = table.set_index("email").loc[target].to_dict()
        row["supervisor_email"] = (
            row["supervisor_email"] if isinstance(row["supervisor_email"], str) else None
        )
        status = "active" if row["active"] else "deactivated"
        st.caption(
            f"{md(row['name'])} · {row['role']} · "
            f"supervisor: {md(row['supervisor_email'] or 'nobody')} "
            f"· {status} · signs in with {row['sign_in']}"
        )
        role_col, supervisor_col, password_col, active_col = st.columns(4)
        with role_col.form("role"):
            new_role = st.selectbox("New role", ROLES, index=ROLES.index(row["role"]))
            if st.form_submit_button("Change role"):
                _apply(
                    lambda: accounts.set_role(engine(), viewer, target, new_role),
                    f"{md(target)} is now a {new_role}.",
                )
        with supervisor_col.form("supervisor"):
            options = [NOBODY, *[e for e in staff if e != target]]
            current = row["supervisor_email"] or NOBODY
            new_boss = st.selectbox("New supervisor", options, index=options.index(current))
            if st.form_submit_button("Assign supervisor"):
                _apply(
                    lambda: accounts.set_supervisor(
                        engine(), viewer, target, None if new_boss == NOBODY else new_boss
                    ),
                    f"{md(target)} is now supervised by {md(new_boss)}.",
                )
        with password_col.form("password", clear_on_submit=True):
            new_password = st.text_input("New password", type="password")
            if st.form_submit_button("Reset password"):
                _apply(
                    lambda: accounts.reset_password(engine(), viewer, target, new_password),
                    f"New password set for {md(target)}; their open sessions have ended.",
                )
        with active_col.form("active"):
            st.write("Deactivated accounts cannot sign in; open sessions end at once.")
            label = "Deactivate account" if row["active"] else "Reactivate account"
            if st.form_submit_button(label):
                _apply(
                    lambda: accounts.set_active(engine(), viewer, target, not row["active"]),
                    f"{md(target)} is now {'deactivated' if row['active'] else 'active'}.",
                )

with audit_tab:
    st.caption(
        "Who signed in, was refused, looked at or exported which client's data, and every "
        "account change. Times are UTC. The log can only grow: nothing here edits it."
    )
    today = dt.datetime.now(dt.UTC).date()
    col_days, col_action, col_who, col_client = st.columns(4)
    days = col_days.date_input(
        "Days", value=(today - dt.timedelta(days=30), today), max_value=today, format="YYYY-MM-DD"
    )
    action = col_action.selectbox("Action", ["(all)", *ACTIONS])
    who = col_who.text_input("Who (email contains)")
    client_code = col_client.text_input("Client code")
    start, end = (days[0], days[-1]) if days else (None, None)
    with engine().connect() as conn:
        events = audit_events(
            conn,
            viewer,
            start=start,
            end=end,
            action=None if action == "(all)" else action,
            who=who,
            client_code=client_code,
            limit=AUDIT_LIMIT,
        )
    shown = len(events)
    more = (
        f" (the newest {AUDIT_LIMIT}; narrow the filters to see older ones)"
        if shown == AUDIT_LIMIT
        else ""
    )
    st.write(f"**{shown} event{'s' if shown != 1 else ''}**{more}")
    st.dataframe(
        events.fillna({"client_code": "—", "actor_email": "—"}),
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
            "actor_email": "Who",
            "action": "Action",
            "client_code": "Client",
            "detail": "Detail",
        },
    )
