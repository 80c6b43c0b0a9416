import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'koryu:public';
/** Marks a route or controller as reachable without signing in; everything else needs a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
