/**
 * `@twisted-ts/twist`: the `twist` command (Twisted's `twistd`), and what plugins and tools
 * need from it: the `ServiceMaker` contract, plugin discovery, the pidfile and state-file
 * helpers, and the built-in `portforward` plugin. The command itself is the package's `bin`.
 * @packageDocumentation
 */
export {
  AlreadyRunningError,
  AppLoadError,
  InvalidPidfileError,
  PidfileError,
  PluginLoadError,
  StateFileError,
  TwistError,
  UsageError,
} from "./errors.js";
export {
  type LogFormat,
  type PluginCommandLine,
  parsePluginArgs,
  parseTwistArgs,
  parseUmask,
  TWIST_OPTIONS,
  type TwistCommandLine,
  type TwistOptionName,
  type TwistOptions,
} from "./options.js";
export {
  checkPidfile,
  isProcessAlive,
  readPidfile,
  removePidfile,
  writePidfile,
} from "./pidfile.js";
export {
  type DiscoverOptions,
  discoverPlugins,
  loadPlugin,
  type PluginEntry,
  pluginPathFromEnv,
} from "./plugins.js";
export {
  listenDescription,
  makePortforwardService,
  type PortforwardOptionDeclarations,
  type PortforwardOptions,
  portforwardOptions,
  portforwardPlugin,
} from "./portforward/plugin.js";
export {
  Proxy,
  ProxyClient,
  ProxyClientFactory,
  ProxyFactory,
  ProxyServer,
} from "./portforward/proxy.js";
export {
  type AnyServiceMaker,
  isServiceMaker,
  normalizeServiceMaker,
  type OptionValue,
  type OptionValues,
  type ParseArgsOptionConfig,
  type PluginOptionValues,
  type Repeatable,
  type ServiceMaker,
  type ServiceMakerOption,
  type ServiceMakerOptions,
  type StringOption,
  type StringOptionWithDefault,
} from "./serviceMaker.js";
export { readStateFile, writeStateFile } from "./stateFile.js";
