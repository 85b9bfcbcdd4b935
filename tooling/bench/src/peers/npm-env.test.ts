import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmInstallEnv } from './npm-env.js';

/** What `pnpm bench` hands the bench behind a TLS-inspecting proxy: the user's settings and pnpm's own. */
const USER_SETTINGS = {
  npm_config_cafile: '/etc/corp/ca.pem',
  npm_config_registry: 'https://npm.corp.example/',
  'npm_config_@corp:registry': 'https://npm.corp.example/scoped/',
  'npm_config_//npm.corp.example/:_authToken': 'secret-token',
  npm_config_proxy: 'http://proxy.corp.example:3128/',
  npm_config_https_proxy: 'http://proxy.corp.example:3128/',
  npm_config_noproxy: 'localhost,.corp.example',
  npm_config_strict_ssl: 'true',
  NPM_CONFIG_USERCONFIG: '/home/user/.npmrc',
  HTTPS_PROXY: 'http://proxy.corp.example:3128/',
  NODE_EXTRA_CA_CERTS: '/etc/corp/ca.pem',
  PATH: process.env.PATH,
};

describe('npmInstallEnv', () => {
  it("keeps the user's CA file, registries, credentials and proxies", () => {
    expect(npmInstallEnv({ ...USER_SETTINGS, ONNXRUNTIME_NODE_INSTALL: 'skip' })).toEqual({
      ...USER_SETTINGS,
      ONNXRUNTIME_NODE_INSTALL: 'skip',
    });
  });

  it('drops the settings that would send the install elsewhere or turn it off, in any spelling', () => {
    const dropped = {
      npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64',
      npm_config_global: 'true',
      NPM_CONFIG_LOCATION: 'global',
      npm_config_prefix: '/usr',
      npm_config_local_prefix: '/work/main',
      npm_config_workspace: 'packages/io',
      npm_config_workspaces: 'true',
      npm_config_include_workspace_root: 'true',
      npm_config_dry_run: 'true',
      'npm_config_dry-run': 'true',
      npm_config_package_lock_only: 'true',
    };
    expect(npmInstallEnv({ ...USER_SETTINGS, ...dropped })).toEqual(USER_SETTINGS);
  });

  it('is what npm itself reads: the CA file, registry and proxy reach `npm config get`', () => {
    // An empty user config, so that only the environment speaks (not this machine's ~/.npmrc).
    const dir = mkdtempSync(join(tmpdir(), 'convkit-npm-env-'));
    writeFileSync(join(dir, 'npmrc'), '');
    const env = npmInstallEnv({
      ...process.env,
      ...USER_SETTINGS,
      NPM_CONFIG_USERCONFIG: join(dir, 'npmrc'),
      npm_config_user_agent: 'pnpm/12.4.2 npm/? node/? linux x64',
    });
    const result = spawnSync('npm', ['config', 'get', 'cafile', 'registry', 'https-proxy', 'strict-ssl'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'cafile=/etc/corp/ca.pem',
      'registry=https://npm.corp.example/',
      'https-proxy=http://proxy.corp.example:3128/',
      'strict-ssl=true',
    ]);
  });
});
