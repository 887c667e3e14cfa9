/**
 * A setting the page that serves the H5 build hands over at run time, as
 * `<meta name="wxauth:<name>" content="…">`. The end-to-end test serves one build on ports it
 * picks per run, so the addresses cannot be baked in at build time; the dev server adds nothing,
 * and the build-time `TARO_APP_*` values apply. H5 only: the mini-program has no document.
 */
export function pageSetting(name: 'api-base' | 'sim-base'): string | undefined {
  const content = document.querySelector(`meta[name="wxauth:${name}"]`)?.getAttribute('content')?.trim();
  return content === undefined || content === '' ? undefined : content.replace(/\/+$/, '');
}
