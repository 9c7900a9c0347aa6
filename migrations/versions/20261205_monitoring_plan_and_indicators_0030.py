"""monitoring: the village plan (RPJMDes/RKPDes), activities with progress and
milestones, indicators with yearly targets and one value per year (a unique key)

Revision ID: 0030
Revises: 0022
Create Date: 2026-12-05 08:54:58.193581

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitoring_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_id', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('baseline_year', sa.Integer(), nullable=True),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('source_en', sa.String(length=200), nullable=True),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('computed', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('up', 'down')", name=op.f('ck_monitoring_indicator_direction_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_indicator')),
    sa.UniqueConstraint('code', name=op.f('uq_monitoring_indicator_code')),
    sa.UniqueConstraint('computed', name=op.f('uq_monitoring_indicator_computed'))
    )
    op.create_table('monitoring_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_id', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('vision_id', sa.Text(), nullable=False),
    sa.Column('vision_en', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('last_year = first_year + 5', name=op.f('ck_monitoring_plan_six_years')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_plan')),
    sa.UniqueConstraint('first_year', name=op.f('uq_monitoring_plan_first_year'))
    )
    op.create_table('monitoring_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title_id', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['monitoring_plan.id'], name=op.f('fk_monitoring_goal_plan_id_monitoring_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_goal'))
    )
    with op.batch_alter_table('monitoring_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_goal_plan_id'), ['plan_id'], unique=False)

    op.create_table('monitoring_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['monitoring_indicator.id'], name=op.f('fk_monitoring_target_indicator_id_monitoring_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_target')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_monitoring_target_indicator_id_year'))
    )
    op.create_table('monitoring_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=12), nullable=False),
    sa.Column('title_id', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('description_id', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('volume', sa.String(length=120), nullable=False),
    sa.Column('beneficiaries', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('budget_planned', sa.BigInteger(), nullable=False),
    sa.Column('budget_spent', sa.BigInteger(), nullable=False),
    sa.Column('funds', sa.String(length=14), nullable=False),
    sa.Column('method', sa.String(length=14), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("field IN ('government', 'development', 'community', 'empowerment', 'disaster')", name=op.f('ck_monitoring_activity_field_known')),
    sa.CheckConstraint("funds IN ('village_fund', 'regency', 'csr', 'community', 'other')", name=op.f('ck_monitoring_activity_funds_known')),
    sa.CheckConstraint("method IN ('self_managed', 'provider')", name=op.f('ck_monitoring_activity_method_known')),
    sa.CheckConstraint("status IN ('planned', 'preparing', 'in_progress', 'done', 'cancelled')", name=op.f('ck_monitoring_activity_status_known')),
    sa.CheckConstraint('budget_planned >= 0 AND budget_spent >= 0', name=op.f('ck_monitoring_activity_money_positive')),
    sa.CheckConstraint('ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on', name=op.f('ck_monitoring_activity_order')),
    sa.CheckConstraint('parent_id IS NULL OR parent_id <> id', name=op.f('ck_monitoring_activity_not_own_parent')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_monitoring_activity_progress_range')),
    sa.CheckConstraint('weight >= 1', name=op.f('ck_monitoring_activity_weight_positive')),
    sa.ForeignKeyConstraint(['goal_id'], ['monitoring_goal.id'], name=op.f('fk_monitoring_activity_goal_id_monitoring_goal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['monitoring_activity.id'], name=op.f('fk_monitoring_activity_parent_id_monitoring_activity'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['monitoring_plan.id'], name=op.f('fk_monitoring_activity_plan_id_monitoring_plan'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_activity'))
    )
    with op.batch_alter_table('monitoring_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_activity_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_activity_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_activity_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_activity_year'), ['year'], unique=False)

    op.create_table('monitoring_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('ballot', 'proposal', 'need', 'course', 'programme', 'round')", name=op.f('ck_monitoring_link_kind_known')),
    sa.ForeignKeyConstraint(['activity_id'], ['monitoring_activity.id'], name=op.f('fk_monitoring_link_activity_id_monitoring_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_link')),
    sa.UniqueConstraint('activity_id', 'kind', 'ref_id', name=op.f('uq_monitoring_link_activity_id_kind_ref_id'))
    )
    with op.batch_alter_table('monitoring_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_link_activity_id'), ['activity_id'], unique=False)

    op.create_table('monitoring_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('text_id', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['monitoring_activity.id'], name=op.f('fk_monitoring_milestone_activity_id_monitoring_activity'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_milestone'))
    )
    with op.batch_alter_table('monitoring_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_milestone_activity_id'), ['activity_id'], unique=False)

    op.create_table('monitoring_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_monitoring_value_entered_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_id'], ['monitoring_indicator.id'], name=op.f('fk_monitoring_value_indicator_id_monitoring_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_value')),
    sa.UniqueConstraint('indicator_id', 'year', name=op.f('uq_monitoring_value_indicator_id_year'))
    )


def downgrade():
    op.drop_table('monitoring_value')
    with op.batch_alter_table('monitoring_milestone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_milestone_activity_id'))

    op.drop_table('monitoring_milestone')
    with op.batch_alter_table('monitoring_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_link_activity_id'))

    op.drop_table('monitoring_link')
    with op.batch_alter_table('monitoring_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_activity_year'))
        batch_op.drop_index(batch_op.f('ix_monitoring_activity_plan_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_activity_parent_id'))
        batch_op.drop_index(batch_op.f('ix_monitoring_activity_goal_id'))

    op.drop_table('monitoring_activity')
    op.drop_table('monitoring_target')
    with op.batch_alter_table('monitoring_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_goal_plan_id'))

    op.drop_table('monitoring_goal')
    op.drop_table('monitoring_plan')
    op.drop_table('monitoring_indicator')
