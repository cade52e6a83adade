/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface ImportMetaEnv {
  /** Where the admin API answers when the page is not served beside it (CloudBase static hosting). */
  readonly VITE_ADMIN_API_BASE?: string;
}

declare module '*.css';
