// The classroom pages follow the site's light/dark choice: Starlight's theme switch keeps it in
// localStorage ("light", "dark", or "" for the system's). Loaded blocking in <head>, so a page
// never flashes in the other scheme. Plain JS in public/: it must run before the page renders.
try {
  const theme = localStorage.getItem('starlight-theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // storage blocked: the system's scheme it is
}
