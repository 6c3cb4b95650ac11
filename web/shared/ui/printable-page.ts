// Opens a page the API renders behind a bearer token (a printable statement):
// the tab is opened during the click, so no popup blocker stops it, then
// given the page once it has loaded. A blob URL keeps the token out of the URL.
export async function openPrintablePage(load: () => Promise<string>): Promise<void> {
  const tab = window.open("about:blank", "_blank");
  try {
    const html = await load();
    const url = URL.createObjectURL(new Blob([html], { type: "text/html" }));
    if (tab) tab.location.href = url;
    else window.location.assign(url);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    tab?.close();
    throw error;
  }
}
