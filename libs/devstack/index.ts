export { QUIET_PROCESS_NODE_FLAGS, startMailCatcher, type MailCatcher } from './mail-catcher';
export { delay, findFreePort, isPortOpen } from './ports';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningService } from './postgres';
export { answersPing, ensureRedis, findRedisServer, redisServerArguments, RedisServerNotFoundError, type EnsureRedisOptions, type RedisService } from './redis';
export { CHROMIUM, launchChromium } from './chromium';
