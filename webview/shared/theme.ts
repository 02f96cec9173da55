// Colours come from VS Code's theme variables, so charts follow light, dark and high-contrast themes.

/** The value of a CSS custom property on <body> (where VS Code sets its theme variables), or `fallback`. */
export function themeColor(variable: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value.length > 0 ? value : fallback;
}

/** Distinct series colours: VS Code's chart palette first, then fixed extra hues for many classes. */
export function categoricalPalette(): string[] {
  return [
    themeColor('--vscode-charts-blue', '#3794ff'),
    themeColor('--vscode-charts-orange', '#d18616'),
    themeColor('--vscode-charts-green', '#89d185'),
    themeColor('--vscode-charts-purple', '#b180d7'),
    themeColor('--vscode-charts-red', '#f14c4c'),
    themeColor('--vscode-charts-yellow', '#cca700'),
    '#4ec9b0',
    '#c586c0',
    '#9cdcfe',
    '#ce9178',
    '#808080',
    '#b5cea8',
  ];
}

/**
 * Calls `onChange` when the theme changes: VS Code swaps the body's class (vscode-light,
 * vscode-dark, vscode-high-contrast) and its style attribute (the variables).
 */
export function onThemeChange(onChange: () => void): { dispose(): void } {
  const observer = new MutationObserver(() => onChange());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  return { dispose: () => observer.disconnect() };
}

export function isHighContrast(): boolean {
  return document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
}
