import { fileURLToPath } from 'node:url';

/** The project's folder (serverless.yml, functions/, …), wherever faultline runs from. */
export const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
