export { startMailCatcher, type MailCatcher } from './mail-catcher';
export { API_NODE_FLAGS, QUIET_PROCESS_NODE_FLAGS, SERVICE_NODE_FLAGS } from './node-flags';
export { delay, findFreePort, isPortOpen } from './ports';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningService } from './postgres';
export { answersPing, ensureRedis, findRedisServer, redisServerArguments, RedisServerNotFoundError, type EnsureRedisOptions, type RedisService } from './redis';
export { CHROMIUM, launchChromium } from './chromium';
