/**
 * Mirrors Starlight's light/dark choice (localStorage "starlight-theme") into a cookie, so the
 * classroom pages, which ship no script, render in the same scheme (ClassroomLayout.astro reads it).
 */
export const THEME_COOKIE = 'socketlab_theme';

function write(): void {
  let theme: string | null = null;
  try {
    theme = localStorage.getItem('starlight-theme');
  } catch {
    // storage blocked: the system's scheme
  }
  const value = theme === 'light' || theme === 'dark' ? theme : 'auto';
  document.cookie = `${THEME_COOKIE}=${value}; path=/; max-age=31536000; samesite=lax`;
}

export function mirrorThemeChoice(): void {
  write();
  // The switch stores the choice in its own listener, which runs before this bubbling one.
  document.addEventListener('change', (event) => {
    if ((event.target as Element | null)?.closest('starlight-theme-select')) write();
  });
}
