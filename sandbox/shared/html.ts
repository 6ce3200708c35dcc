/** Helpers for the simulators' server-rendered pages. */

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

/** JSON safe to embed in a <script> element (no `</script>` or `<!--` breakouts). */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c")
