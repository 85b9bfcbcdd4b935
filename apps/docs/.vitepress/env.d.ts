// Stylesheets are imported for their side effect by the theme.
declare module '*.css';
