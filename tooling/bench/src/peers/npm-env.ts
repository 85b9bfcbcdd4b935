/**
 * npm settings (as `npm_config_<name>`, lower-cased, `-` read as `_`) that
 * must not reach the npm that installs the bench's peers into `.peers/`.
 * They describe the run that started the bench, not the user's network:
 * pnpm's own user agent, and anything that would install somewhere else
 * (globally, into a workspace) or not at all (a dry run, a lockfile only).
 * Everything else stays — above all the CA file, registries, credentials and
 * proxies, without which an install behind a TLS-inspecting proxy fails with
 * SELF_SIGNED_CERT_IN_CHAIN while `pnpm install` works.
 */
const NOT_FOR_THE_PEERS = new Set([
  'user_agent',
  'global',
  'location',
  'prefix',
  'local_prefix',
  'workspace',
  'workspaces',
  'include_workspace_root',
  'dry_run',
  'package_lock_only',
]);

const PREFIX = 'npm_config_';

/** The environment for `npm install --prefix .peers …`: the caller's, less what must not reach npm. */
export function npmInstallEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => {
      if (key.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return true;
      // npm reads these names case-insensitively and with `_` and `-` alike.
      return !NOT_FOR_THE_PEERS.has(key.slice(PREFIX.length).toLowerCase().replaceAll('-', '_'));
    }),
  );
}
