"""Links to a client read as links everywhere: underlined and full size, not the small grey menu
entries `st.page_link` draws by default (My clients, the risk list, Caseload, the client page)."""

LINK_STYLE = """<style>
[data-testid="stMain"] [data-testid="stPageLink"] a p { text-decoration: underline;
  text-underline-offset: 3px; font-size: 1rem; color: inherit; }
[data-testid="stMain"] [data-testid="stPageLink"] a { padding-left: 0; }
</style>"""
