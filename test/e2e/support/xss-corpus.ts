/**
 * Hostile strings a stranger can put in a toot, a name, a spoiler or a card. Each one, if it ever
 * ran, would set `window.__xss`; the page must show them as text and run none of them.
 */
const RUN = 'window.__xss=(window.__xss||0)+1';

export const XSS_CORPUS = [
  `<script>${RUN}</script>`,
  `<img src=x onerror="${RUN}">`,
  `<svg onload="${RUN}"></svg>`,
  `<svg><script>${RUN}</script></svg>`,
  `<a href="javascript:${RUN}">click</a>`,
  `<iframe srcdoc="<script>parent.${RUN}</script>"></iframe>`,
  `<div style="background:url(javascript:${RUN})">css</div>`,
  `<style>@import 'javascript:${RUN}';</style>`,
  `"><img src=x onerror=${RUN}>`,
  `'><svg/onload=${RUN}>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${RUN}">`,
  `<details open ontoggle="${RUN}">`,
  `<body onload="${RUN}">`,
  `javascript:${RUN}`,
  `{@html '<img src=x onerror=${RUN}>'}`,
];
