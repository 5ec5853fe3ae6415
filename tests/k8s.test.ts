/**
 * Rule: the manifests in k8s/ are what the Kubernetes API accepts, and they fit together and
 * fit the code.
 *
 * Each document is validated with the validators `kubernetes-models` generates from the API's
 * own OpenAPI schemas (Kubernetes 1.36), and type-checked against the same models, because
 * those schemas allow any extra field: a misspelt `livenesProbe` would pass them silently.
 * Then what no schema can see: selectors and targets that reach a Deployment, variable names
 * that platform/config.ts reads, ConfigMap and Secret keys that exist, probe ports that are
 * container ports, commands that are the package.json scripts, and an environment that
 * loadConfig accepts as the production profile. Every check is also run on a broken copy, so
 * none of them can pass by checking nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ConfigError, loadConfig, SUBGRAPH_NAMES, type SubgraphName, type VezaConfig } from '../platform/config.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const K8S = `${ROOT}k8s/`;
const NAMESPACE = 'veza';
const COMPONENT_LABEL = 'app.kubernetes.io/component';
type Component = 'gateway' | SubgraphName | 'worker';
const COMPONENTS: readonly Component[] = ['gateway', ...SUBGRAPH_NAMES, 'worker'];

/** The kinds the manifests may use; each carries the validator generated from its schema. */
const MODELS = [Namespace, ConfigMap, Secret, Service, Deployment, HorizontalPodAutoscaler, PodDisruptionBudget];

/** Observed, not copied: the names loadConfig looks up in an environment that records lookups. */
const CONFIG_VARS: ReadonlySet<string> = (() => {
  const seen = new Set<string>();
  loadConfig(new Proxy<NodeJS.ProcessEnv>({}, { get: (_target, key) => void (typeof key === 'string' && seen.add(key)) }));
  return seen;
})();

interface Manifest {
  file: string;
  body: unknown;
}
interface Bundle {
  /** Every document of every k8s/*.yaml but kustomization.yaml, the Secret example included. */
  manifests: Manifest[];
  files: string[];
  kustomization: { resources?: string[] };
  scripts: Record<string, string>;
}
type Check = (b: Bundle) => string[];

async function loadBundle(): Promise<Bundle> {
  const files = (await readdir(K8S)).filter((f) => f.endsWith('.yaml')).sort();
  const manifests: Manifest[] = [];
  let kustomization: Bundle['kustomization'] = {};
  for (const file of files) {
    // Kubernetes reads YAML 1.1, where an unquoted `yes` or `off` is a boolean.
    for (const doc of parseAllDocuments(await readFile(K8S + file, 'utf8'), { version: '1.1' })) {
      const trouble = [...doc.errors, ...doc.warnings];
      if (trouble.length > 0) throw new Error(`${file}: ${trouble.map((e) => e.message).join('; ')}`);
      const body: unknown = doc.toJS();
      if (file === 'kustomization.yaml') kustomization = body as Bundle['kustomization'];
      else if (body !== null) manifests.push({ file, body });
    }
  }
  const pkg = JSON.parse(await readFile(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> };
  return { manifests, files, kustomization, scripts: pkg.scripts };
}

// ---- views -------------------------------------------------------------------------------

interface Named {
  kind?: unknown;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}
const named = (body: unknown): Named => (typeof body === 'object' && body !== null ? body : {});
const where = (m: Manifest): string => `${m.file} ${String(named(m.body).kind)}/${named(m.body).metadata?.name ?? '?'}`;
const nameOf = (body: unknown): string => named(body).metadata?.name ?? '?';

function objects(b: Bundle) {
  const bodies = b.manifests.map((m) => m.body);
  return {
    deployments: bodies.filter(Deployment.is),
    services: bodies.filter(Service.is),
    hpas: bodies.filter(HorizontalPodAutoscaler.is),
    pdbs: bodies.filter(PodDisruptionBudget.is),
    configMaps: bodies.filter(ConfigMap.is),
    secrets: bodies.filter(Secret.is),
  };
}

const podLabels = (d: IDeployment): Record<string, string> => d.spec?.template.metadata?.labels ?? {};
const containersOf = (d: IDeployment): IContainer[] => d.spec?.template.spec?.containers ?? [];
const componentOf = (d: IDeployment): string => d.metadata?.labels?.[COMPONENT_LABEL] ?? '?';
/** An empty selector selects everything, which is never what one of these means. */
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const hasPort = (c: IContainer, port: number | string): boolean =>
  (c.ports ?? []).some((p) => (typeof port === 'number' ? p.containerPort === port : p.name === port));
const probes = (c: IContainer): [string, IProbe | undefined][] => [
  ['startupProbe', c.startupProbe],
  ['readinessProbe', c.readinessProbe],
  ['livenessProbe', c.livenessProbe],
];

function expectedCommand(component: string, scripts: Record<string, string>): string[] {
  const script = (name: string) => (scripts[name] ?? `<no ${name} script>`).split(' ');
  if (component === 'gateway') return script('start:gateway');
  if (component === 'worker') return script('start:worker');
  return [...script('start:subgraph'), component];
}

/** The environment a container starts with, as the kubelet builds it from these manifests. */
function containerEnv(b: Bundle, d: IDeployment, c: IContainer): Record<string, string> {
  const { configMaps, secrets, services } = objects(b);
  const configData = (name?: string) => configMaps.find((m) => nameOf(m) === name)?.data ?? {};
  const secretData = (name?: string) => {
    const s = secrets.find((x) => nameOf(x) === name);
    const decoded = Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return { ...decoded, ...s?.stringData };
  };
  const env: Record<string, string> = {};
  // Unless turned off, every Service in the namespace injects NAME_SERVICE_HOST, NAME_PORT=tcp://…
  if (d.spec?.template.spec?.enableServiceLinks !== false) {
    for (const s of services) {
      const prefix = nameOf(s).toUpperCase().replaceAll('-', '_');
      const port = s.spec?.ports?.[0]?.port ?? 0;
      Object.assign(env, { [`${prefix}_SERVICE_HOST`]: '10.0.0.1', [`${prefix}_SERVICE_PORT`]: String(port), [`${prefix}_PORT`]: `tcp://10.0.0.1:${port}` });
    }
  }
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef ? configData(from.configMapRef.name) : secretData(from.secretRef?.name);
    for (const [k, v] of Object.entries(data)) env[(from.prefix ?? '') + k] = v;
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom;
    const value = ref?.configMapKeyRef
      ? configData(ref.configMapKeyRef.name)[ref.configMapKeyRef.key]
      : ref?.secretKeyRef
        ? secretData(ref.secretKeyRef.name)[ref.secretKeyRef.key]
        : e.value;
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

// ---- checks ------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const checkSchemas: Check = (b) =>
  b.manifests.flatMap((m) => {
    const Model = MODELS.find((M) => M.is(m.body));
    if (!Model) return [`${where(m)}: no schema for this apiVersion and kind (add its model to MODELS)`];
    const problems: string[] = [];
    try {
      new Model(m.body as never).validate();
    } catch (err) {
      problems.push(`${where(m)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { name, namespace } = named(m.body).metadata ?? {};
    if (!name || !DNS_LABEL.test(name)) problems.push(`${where(m)}: metadata.name must be a DNS label`);
    const expectedNamespace = Namespace.is(m.body) ? undefined : NAMESPACE;
    if (namespace !== expectedNamespace) problems.push(`${where(m)}: namespace is ${namespace}, not ${expectedNamespace}`);
    return problems;
  });

/** Type-checks every document against its model: an unknown field is an excess-property error. */
const checkFieldNames: Check = (b) => {
  const file = `${ROOT}tests/k8s-manifests.virtual.ts`;
  const docs = b.manifests.filter((m) => MODELS.some((M) => M.is(m.body)));
  // One line per document, so a diagnostic's line says which document it is about.
  const source = docs
    .map((m, i) => {
      const { apiVersion, kind } = m.body as { apiVersion: string; kind: string };
      return `export const d${i}: import('kubernetes-models/${apiVersion}/${kind}').I${kind} = ${JSON.stringify(m.body)};`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const [fileExists, readText, getSourceFile] = [host.fileExists.bind(host), host.readFile.bind(host), host.getSourceFile.bind(host)];
  host.fileExists = (f) => f === file || fileExists(f);
  host.readFile = (f) => (f === file ? source : readText(f));
  host.getSourceFile = (f, language, ...rest) => (f === file ? ts.createSourceFile(f, source, language) : getSourceFile(f, language, ...rest));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const doc = docs[line];
    return `${doc ? where(doc) : 'k8s'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
};

/** `kubectl apply -k` applies every manifest, and never the example Secret's placeholders. */
const checkKustomization: Check = (b) => {
  const listed = b.kustomization.resources ?? [];
  const wanted = b.files.filter((f) => f !== 'kustomization.yaml' && !f.endsWith('.example.yaml'));
  return [
    ...wanted.filter((f) => !listed.includes(f)).map((f) => `kustomization.yaml: ${f} is not listed`),
    ...listed.filter((f) => !wanted.includes(f)).map((f) => `kustomization.yaml: ${f} is not a manifest in k8s/ (or is an example)`),
  ];
};

const checkSelectors: Check = (b) => {
  const { deployments, services, hpas, pdbs } = objects(b);
  const problems: string[] = [];
  const selected = (selector: Record<string, string> | undefined) => deployments.filter((d) => selects(selector, podLabels(d)));
  for (const d of deployments) {
    if (!selects(d.spec?.selector.matchLabels, podLabels(d))) problems.push(`Deployment/${nameOf(d)}: selector does not match its own pod labels`);
    const hpa = hpas.filter((h) => h.spec?.scaleTargetRef.name === nameOf(d));
    if (hpa.length !== 1) problems.push(`Deployment/${nameOf(d)}: ${hpa.length} HorizontalPodAutoscalers, want 1`);
    // Applying the files again would reset what the autoscaler chose.
    if (hpa.length > 0 && d.spec?.replicas !== undefined) problems.push(`Deployment/${nameOf(d)}: sets replicas although an HPA scales it`);
    if (pdbs.filter((p) => selected(p.spec?.selector?.matchLabels).includes(d)).length !== 1)
      problems.push(`Deployment/${nameOf(d)}: not covered by exactly one PodDisruptionBudget`);
    const serves = containersOf(d).some((c) => (c.ports ?? []).length > 0);
    if (serves && !services.some((s) => selected(s.spec?.selector).includes(d))) problems.push(`Deployment/${nameOf(d)}: serves HTTP but no Service selects it`);
  }
  for (const s of services) {
    const targets = selected(s.spec?.selector);
    if (targets.length !== 1) problems.push(`Service/${nameOf(s)}: selects ${targets.length} Deployments, want 1`);
    for (const p of s.spec?.ports ?? []) {
      const target = p.targetPort ?? p.port;
      if (targets.length === 1 && !targets.flatMap(containersOf).some((c) => hasPort(c, target)))
        problems.push(`Service/${nameOf(s)}: targetPort ${target} is not a container port of Deployment/${nameOf(targets[0])}`);
    }
  }
  for (const h of hpas) {
    const ref = h.spec?.scaleTargetRef;
    if (ref?.apiVersion !== 'apps/v1' || ref.kind !== 'Deployment' || !deployments.some((d) => nameOf(d) === ref.name))
      problems.push(`HorizontalPodAutoscaler/${nameOf(h)}: targets ${ref?.kind}/${ref?.name}, which is no Deployment here`);
    if (!h.spec?.metrics?.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu'))
      problems.push(`HorizontalPodAutoscaler/${nameOf(h)}: does not scale on CPU`);
  }
  for (const p of pdbs) {
    if (p.spec?.selector?.matchExpressions) problems.push(`PodDisruptionBudget/${nameOf(p)}: matchExpressions are not checked here; use matchLabels`);
    const n = selected(p.spec?.selector?.matchLabels).length;
    if (n !== 1) problems.push(`PodDisruptionBudget/${nameOf(p)}: selects ${n} Deployments, want 1`);
  }
  return problems;
};

const checkEnv: Check = (b) => {
  const { deployments, configMaps, secrets } = objects(b);
  const problems: string[] = [];
  const configKeys = (name?: string) => configMaps.find((m) => nameOf(m) === name)?.data;
  const secretKeys = (name?: string) => {
    const s = secrets.find((x) => nameOf(x) === name);
    return s && { ...s.data, ...s.stringData };
  };
  const unknownName = (at: string, name: string) => {
    if (!CONFIG_VARS.has(name)) problems.push(`${at}: ${name} is not a variable platform/config.ts reads`);
  };
  for (const d of deployments) {
    for (const c of containersOf(d)) {
      const at = `Deployment/${nameOf(d)} container ${c.name}`;
      for (const from of c.envFrom ?? []) {
        const [kind, name] = from.configMapRef ? ['ConfigMap', from.configMapRef.name] : ['Secret', from.secretRef?.name];
        const data = kind === 'ConfigMap' ? configKeys(name) : secretKeys(name);
        if (!data) problems.push(`${at}: envFrom names ${kind}/${name}, which is not in k8s/`);
        for (const key of Object.keys(data ?? {})) unknownName(`${at} (from ${kind}/${name})`, (from.prefix ?? '') + key);
      }
      for (const e of c.env ?? []) {
        unknownName(at, e.name);
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && configKeys(cm.name)?.[cm.key] === undefined) problems.push(`${at}: ${e.name} refers to ConfigMap/${cm.name} key ${cm.key}, which it does not define`);
        const sk = e.valueFrom?.secretKeyRef;
        if (sk && secretKeys(sk.name)?.[sk.key] === undefined) problems.push(`${at}: ${e.name} refers to Secret/${sk.name} key ${sk.key}, which it does not define`);
      }
    }
  }
  return problems;
};

const checkProbes: Check = (b) =>
  objects(b).deployments.flatMap((d) =>
    containersOf(d).flatMap((c) => {
      const at = `Deployment/${nameOf(d)} container ${c.name}`;
      const problems: string[] = [];
      for (const [kind, probe] of probes(c)) {
        if (probe?.httpGet && !hasPort(c, probe.httpGet.port)) problems.push(`${at}: ${kind} port ${probe.httpGet.port} is not a container port`);
      }
      if ((c.ports ?? []).length > 0) {
        if (c.readinessProbe?.httpGet?.path !== '/readyz') problems.push(`${at}: readinessProbe is not GET /readyz`);
        if (c.livenessProbe?.httpGet?.path !== '/healthz') problems.push(`${at}: livenessProbe is not GET /healthz`);
      }
      const annotations = d.spec?.template.metadata?.annotations ?? {};
      if (annotations['prometheus.io/scrape'] === 'true') {
        if (!hasPort(c, Number(annotations['prometheus.io/port']))) problems.push(`${at}: prometheus.io/port ${annotations['prometheus.io/port']} is not a container port`);
        if (annotations['prometheus.io/path'] !== '/metrics') problems.push(`${at}: prometheus.io/path is not /metrics`);
      } else if ((c.ports ?? []).length > 0) problems.push(`${at}: serves /metrics but its pods are not annotated for scraping`);
      return problems;
    }),
  );

/** What each process does with the environment it gets: loadConfig must take it as production. */
const checkProcesses: Check = (b) => {
  const { deployments, services } = objects(b);
  const components = deployments.map(componentOf).sort();
  const problems = components.join() === [...COMPONENTS].sort().join() ? [] : [`Deployments are ${components.join(', ')}; want ${[...COMPONENTS].join(', ')}`];
  for (const d of deployments) {
    const component = componentOf(d);
    for (const c of containersOf(d)) {
      const at = `Deployment/${nameOf(d)} container ${c.name}`;
      const command = [...(c.command ?? []), ...(c.args ?? [])];
      const expected = expectedCommand(component, b.scripts);
      if (command.join(' ') !== expected.join(' ')) problems.push(`${at}: command is "${command.join(' ')}", the npm script runs "${expected.join(' ')}"`);
      let config: VezaConfig;
      try {
        config = loadConfig(containerEnv(b, d, c));
      } catch (err) {
        problems.push(`${at}: ${err instanceof ConfigError ? err.message.replaceAll('\n', ' ') : String(err)}`);
        continue;
      }
      const ports = (c.ports ?? []).map((p) => p.containerPort);
      const listens = component === 'worker' ? [] : [config.ports[component as Exclude<Component, 'worker'>]];
      if (ports.join() !== listens.join()) problems.push(`${at}: container ports ${ports.join() || 'none'}, the process listens on ${listens.join() || 'none'}`);
      if (listens.length > 0 && config.host !== '0.0.0.0') problems.push(`${at}: binds ${config.host}, which the Service cannot reach`);
      if (!config.gatewaySecret) problems.push(`${at}: no GATEWAY_SECRET`);
      if (Boolean(config.authPrivateKey) !== (component === 'community')) problems.push(`${at}: AUTH_PRIVATE_KEY belongs to the community subgraph alone`);
      // Without these a process quietly falls back to an embedded database, bus or object store of its own.
      if (component !== 'gateway') {
        if (config.profile !== 'production') problems.push(`${at}: embedded profile (no DATABASE_URL)`);
        if (!config.redisUrl) problems.push(`${at}: no REDIS_URL (events would stay in-process)`);
        if (!config.s3.endpoint) problems.push(`${at}: no S3_ENDPOINT (it would start its own object store)`);
      }
      for (const name of SUBGRAPH_NAMES) problems.push(...routeProblems(at, name, config.subgraphUrls[name], services, deployments));
      if (c.securityContext?.readOnlyRootFilesystem) {
        const writable = (c.volumeMounts ?? []).filter((v) => !v.readOnly).map((v) => v.mountPath);
        for (const [what, path] of [['VEZA_DATA_DIR', config.dataDir], ['the temporary directory', '/tmp']] as const) {
          if (!writable.some((m) => path === m || path.startsWith(`${m}/`))) problems.push(`${at}: ${what} (${path}) is not on a writable volume`);
        }
      }
    }
  }
  return problems;
};

/** A subgraph URL must reach, through a Service here, the Deployment of that subgraph. */
function routeProblems(at: string, subgraph: SubgraphName, url: string | undefined, services: ReturnType<typeof objects>['services'], deployments: IDeployment[]): string[] {
  if (!url) return [`${at}: no ${subgraph.toUpperCase()}_URL (it would call 127.0.0.1)`];
  const { hostname, port, protocol } = new URL(url);
  const [host, namespace = NAMESPACE] = hostname.split('.');
  const service = namespace === NAMESPACE ? services.find((s) => nameOf(s) === host) : undefined;
  const portNumber = Number(port || (protocol === 'https:' ? 443 : 80));
  const servicePort = service?.spec?.ports?.find((p) => p.port === portNumber);
  const target = deployments.find((d) => selects(service?.spec?.selector, podLabels(d)));
  if (!service || !servicePort) return [`${at}: ${url} is no Service port in k8s/`];
  if (!target || componentOf(target) !== subgraph) return [`${at}: ${url} reaches Deployment/${target ? nameOf(target) : 'none'}, not the ${subgraph} subgraph`];
  return [];
}

const checkHardening: Check = (b) =>
  objects(b).deployments.flatMap((d) => {
    const at = `Deployment/${nameOf(d)}`;
    const pod = d.spec?.template.spec;
    const problems: string[] = [];
    const rolling = d.spec?.strategy?.rollingUpdate;
    if (d.spec?.strategy?.type !== 'RollingUpdate' || rolling?.maxUnavailable !== 0 || rolling.maxSurge !== 1)
      problems.push(`${at}: strategy is not RollingUpdate with maxUnavailable 0, maxSurge 1`);
    if (componentOf(d) === 'gateway' && (pod?.terminationGracePeriodSeconds ?? 30) < 60) problems.push(`${at}: under 60 s to drain connections`);
    for (const c of containersOf(d)) {
      const r = c.resources;
      if (!r?.requests?.['cpu'] || !r.requests['memory'] || !r.limits?.['cpu'] || !r.limits['memory'])
        problems.push(`${at} container ${c.name}: CPU and memory requests and limits are not all set`);
      const sc = c.securityContext;
      if (!(sc?.runAsNonRoot ?? pod?.securityContext?.runAsNonRoot)) problems.push(`${at} container ${c.name}: may run as root`);
      if (sc?.readOnlyRootFilesystem !== true) problems.push(`${at} container ${c.name}: root filesystem is writable`);
      if (sc?.allowPrivilegeEscalation !== false) problems.push(`${at} container ${c.name}: allows privilege escalation`);
      if (!sc?.capabilities?.drop?.includes('ALL')) problems.push(`${at} container ${c.name}: does not drop ALL capabilities`);
    }
    return problems;
  });

const CHECKS: Record<string, Check> = {
  checkSchemas,
  checkFieldNames,
  checkKustomization,
  checkSelectors,
  checkEnv,
  checkProbes,
  checkProcesses,
  checkHardening,
};

// ---- tests -------------------------------------------------------------------------------

const bundle = await loadBundle();

/** The document of that kind and name in a copy of the bundle, typed by its model. */
function pick<T extends { metadata?: { name?: string } }>(b: Bundle, is: (v: unknown) => v is T, name: string): T {
  const found = b.manifests.map((m) => m.body).filter(is).find((o) => o.metadata?.name === name);
  if (!found) throw new Error(`no ${name} in k8s/`);
  return found;
}
const container = (b: Bundle, deployment: string): IContainer => {
  const c = containersOf(pick(b, Deployment.is, deployment))[0];
  if (!c) throw new Error(`Deployment/${deployment} has no container`);
  return c;
};

describe('k8s/ manifests', () => {
  it('loads the manifests and sees the variables platform/config.ts reads', () => {
    expect(bundle.manifests.length).toBeGreaterThan(20);
    expect(CONFIG_VARS).toContain('GATEWAY_SECRET');
    expect(CONFIG_VARS).toContain('DATABASE_URL');
  });

  it.each(Object.entries(CHECKS))('%s finds nothing wrong', (_name, check) => {
    expect(check(bundle)).toEqual([]);
  });

  // Each row breaks a copy of the manifests the way a real edit could, and names the check that must notice.
  const broken: [string, keyof typeof CHECKS, (b: Bundle) => void, RegExp][] = [
    ['a value of the wrong type', 'checkSchemas', (b) => void Object.assign(pick(b, Service.is, 'chat').spec ?? {}, { type: 'Loadbalancer' }), /Service\/chat: .*spec\/type/],
    ['an unknown kind', 'checkSchemas', (b) => void b.manifests.push({ file: 'x.yaml', body: { apiVersion: 'v1', kind: 'Podd', metadata: { name: 'x' } } }), /no schema/],
    ['a misspelt field', 'checkFieldNames', (b) => void Object.assign(container(b, 'media'), { livenesProbe: {} }), /media\.yaml Deployment\/media: .*livenesProbe\W+ does not exist/],
    ['a manifest left out of kustomization.yaml', 'checkKustomization', (b) => void (b.kustomization.resources = b.kustomization.resources?.filter((f) => f !== 'worker.yaml')), /worker\.yaml is not listed/],
    ['the example Secret in kustomization.yaml', 'checkKustomization', (b) => void b.kustomization.resources?.push('secret.example.yaml'), /secret\.example\.yaml is not a manifest/],
    ['a Service selecting no pods', 'checkSelectors', (b) => void Object.assign(pick(b, Service.is, 'chat').spec?.selector ?? {}, { [COMPONENT_LABEL]: 'caht' }), /Service\/chat: selects 0 Deployments/],
    ['a Service targetPort that no container has', 'checkSelectors', (b) => void Object.assign(pick(b, Service.is, 'social').spec?.ports?.[0] ?? {}, { targetPort: 'web' }), /Service\/social: targetPort web/],
    ['an HPA aimed at a missing Deployment', 'checkSelectors', (b) => void Object.assign(pick(b, HorizontalPodAutoscaler.is, 'media').spec?.scaleTargetRef ?? {}, { name: 'medai' }), /targets Deployment\/medai/],
    ['a PDB selecting no pods', 'checkSelectors', (b) => void Object.assign(pick(b, PodDisruptionBudget.is, 'worker').spec?.selector?.matchLabels ?? {}, { [COMPONENT_LABEL]: 'wroker' }), /PodDisruptionBudget\/worker: selects 0/],
    ['a misspelt variable', 'checkEnv', (b) => void container(b, 'chat').env?.push({ name: 'DATABSE_URL', value: 'postgresql://x/y' }), /DATABSE_URL is not a variable/],
    ['a ConfigMap key that platform/config.ts never reads', 'checkEnv', (b) => void Object.assign(pick(b, ConfigMap.is, 'veza-config').data ?? {}, { NODE_ENV: 'production' }), /NODE_ENV is not a variable/],
    ['a secretKeyRef to a missing key', 'checkEnv', (b) => void Object.assign(container(b, 'gateway').env?.[0]?.valueFrom?.secretKeyRef ?? {}, { key: 'GATEWAY_SECRETS' }), /key GATEWAY_SECRETS/],
    ['a configMapKeyRef to a missing key', 'checkEnv', (b) => void container(b, 'social').env?.push({ name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'veza-config', key: 'LOGLEVEL' } } }), /ConfigMap\/veza-config key LOGLEVEL/],
    ['a probe on a port the container lacks', 'checkProbes', (b) => void Object.assign(container(b, 'discovery').readinessProbe?.httpGet ?? {}, { port: 4999 }), /readinessProbe port 4999/],
    ['a scrape port the container lacks', 'checkProbes', (b) => void Object.assign(pick(b, Deployment.is, 'chat').spec?.template.metadata?.annotations ?? {}, { 'prometheus.io/port': '4009' }), /prometheus\.io\/port 4009/],
    ['another subgraph\'s command', 'checkProcesses', (b) => void (container(b, 'media').command = ['node', 'subgraphs/main.ts', 'chat']), /media container media: command/],
    ['a routing URL to a missing Service port', 'checkProcesses', (b) => void Object.assign(pick(b, ConfigMap.is, 'veza-config').data ?? {}, { CHAT_URL: 'http://chat:4999/graphql' }), /chat:4999.* is no Service port/],
    ['Service links left on', 'checkProcesses', (b) => void Object.assign(pick(b, Deployment.is, 'gateway').spec?.template.spec ?? {}, { enableServiceLinks: true }), /GATEWAY_PORT/],
    ['the signing key missing', 'checkProcesses', (b) => void (container(b, 'community').env = container(b, 'community').env?.filter((e) => e.name !== 'AUTH_PRIVATE_KEY')), /community.*AUTH_PRIVATE_KEY/],
    ['the data folder on the read-only root', 'checkProcesses', (b) => void Object.assign(pick(b, ConfigMap.is, 'veza-config').data ?? {}, { VEZA_DATA_DIR: '/app/.veza' }), /VEZA_DATA_DIR \(\/app\/\.veza\)/],
    ['a roll-out that drops capacity', 'checkHardening', (b) => void Object.assign(pick(b, Deployment.is, 'gateway').spec?.strategy?.rollingUpdate ?? {}, { maxUnavailable: 1 }), /gateway: strategy/],
    ['capabilities kept', 'checkHardening', (b) => void (container(b, 'worker').securityContext = { ...container(b, 'worker').securityContext, capabilities: {} }), /worker container worker: does not drop ALL/],
  ];
  it.each(broken)('%s fails %s', (_what, check, breakIt, expected) => {
    const copy = structuredClone(bundle);
    breakIt(copy);
    expect(CHECKS[check]?.(copy).join('\n')).toMatch(expected);
  });
});
