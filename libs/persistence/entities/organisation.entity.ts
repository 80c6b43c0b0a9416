import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * `operator` is the organisation of the system operators (the bootstrap admin); its admins alone
 * may create organisations and see the queue dashboard. The other kinds are API.md's.
 */
export const ORGANISATION_KINDS = ['prefecture', 'municipality', 'association', 'operator'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

@Entity({ name: 'organisation' })
export class OrganisationEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: OrganisationKind;

  /** 1–12 letters or digits; 全国地方公共団体コード recommended for prefectures and municipalities. */
  @Column({ type: 'text', unique: true })
  code!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
