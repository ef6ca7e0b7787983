/// <reference types="vite/client" />

declare module 'virtual:readme-tabs' {
  import type { ReadmeTab } from './graphiql/readme-tabs';
  const tabs: ReadmeTab[];
  export default tabs;
}
