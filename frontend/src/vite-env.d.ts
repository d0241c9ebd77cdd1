/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The repository's web address for files (…/blob/main); the Lab links its drills there when set. */
  readonly VITE_REPOSITORY_URL?: string;
}
