// Svelte's defaults, kept in a file so vite-plugin-svelte and svelte-check do not each announce
// on every start that there is none (issue 18's start-up noise).
export default {};
