"""What the API reads and writes, field by field. Writes go on to the services unchanged.

A serializer here checks the shape of a request (types, ids that exist); whether the user may
do it, and the rules of the domain, are the services' business, as for a form.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionlines.models import ActionLine, Activity, Plan, Team
from commitments.models import (
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    DeadlineChange,
    Debate,
    FollowUpLetter,
    Notification,
    ParliamentaryDocument,
)

User = get_user_model()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DebateRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Debate
        fields = ["id", "title", "date", "activity_number"]


class DocumentRefSerializer(serializers.ModelSerializer):
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = ParliamentaryDocument
        fields = ["id", "citation", "date", "title", "url"]


class BewindspersoonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bewindspersoon
        fields = ["id", "name", "function", "title"]


# --- commitments ------------------------------------------------------------------------------


class CommitmentListSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    made_by = BewindspersoonRefSerializer(read_only=True)
    debate = DebateRefSerializer(read_only=True, allow_null=True)
    team = NamedSerializer(read_only=True, allow_null=True)
    owner = PersonSerializer(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "reference",
            "register_number",
            "text",
            "status",
            "status_label",
            "made_on",
            "deadline_wording",
            "due_date",
            "original_due_date",
            "fulfilled_on",
            "made_by",
            "debate",
            "team",
            "owner",
            "is_overdue",
            "url",
            "version",
        ]

    def get_is_overdue(self, commitment) -> bool:
        return commitment.is_overdue(self.context["today"])

    def get_url(self, commitment) -> str:
        return self.context["request"].build_absolute_uri(commitment.get_absolute_url())


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class TimelineEntrySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["created", "edited", "links", "progress", "deadline-requested", "deadline-decided"]
    )
    at = serializers.DateTimeField()
    who = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    status_before = serializers.SerializerMethodField()
    status_after = serializers.SerializerMethodField()
    new_due_date = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    def get_who(self, entry) -> str:
        from tracker.actors import actor_name

        return actor_name(entry.who)

    def get_note(self, entry) -> str | None:
        if entry.progress:
            return entry.progress.note
        if entry.deadline_change:
            change = entry.deadline_change
            return change.decision_note if entry.kind == "deadline-decided" else change.reason
        return None

    def get_status_before(self, entry) -> str | None:
        return entry.progress.status_before if entry.progress else None

    def get_status_after(self, entry) -> str | None:
        return entry.progress.status_after if entry.progress else None

    def get_new_due_date(self, entry) -> str | None:
        change = entry.deadline_change
        return change.new_due_date.isoformat() if change else None

    def get_decision(self, entry) -> str | None:
        if entry.kind == "deadline-decided":
            return entry.deadline_change.state
        return None

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, entry):
        if entry.link_change:
            change = entry.link_change
            return [
                {
                    "field": change.field,
                    "old": ", ".join(change.removed) or None,
                    "new": ", ".join(change.added) or None,
                }
            ]
        return [
            {
                "field": str(name),
                "old": None if old is None else str(old),
                "new": None if new is None else str(new),
            }
            for name, old, new in entry.changes
        ]


class CommitmentDetailSerializer(CommitmentListSerializer):
    made_to = serializers.SerializerMethodField()
    activities = serializers.SerializerMethodField()
    fulfilling_documents = DocumentRefSerializer(many=True, read_only=True)
    source_document = DocumentRefSerializer(read_only=True, allow_null=True)
    timeline = serializers.SerializerMethodField()

    class Meta(CommitmentListSerializer.Meta):
        fields = [
            *CommitmentListSerializer.Meta.fields,
            "chamber",
            "source_document",
            "made_to",
            "activities",
            "fulfilling_documents",
            "timeline",
        ]

    @extend_schema_field(NamedSerializer(many=True))
    def get_made_to(self, commitment):
        return [{"id": a.pk, "name": str(a)} for a in commitment.made_to.all()]

    @extend_schema_field(NamedSerializer(many=True))
    def get_activities(self, commitment):
        return [{"id": a.pk, "name": a.title} for a in commitment.activities.all()]

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, commitment):
        from commitments.selectors import commitment_timeline

        return TimelineEntrySerializer(commitment_timeline(commitment=commitment), many=True).data


class CommitmentWriteSerializer(serializers.Serializer):
    """The fields an official fills in on the commitment form, by id where they are records."""

    reference = serializers.CharField(max_length=40)
    register_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    text = serializers.CharField()
    chamber = serializers.ChoiceField(choices=["tk", "ek"], required=False)
    made_by = serializers.PrimaryKeyRelatedField(queryset=Bewindspersoon.objects.all())
    debate = serializers.PrimaryKeyRelatedField(
        queryset=Debate.objects.all(), required=False, allow_null=True
    )
    source_document = serializers.PrimaryKeyRelatedField(
        queryset=ParliamentaryDocument.objects.all(), required=False, allow_null=True
    )
    made_on = serializers.DateField()
    made_on_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text=_("Why it was not made on the debate's date, when it was not."),
    )
    deadline_wording = serializers.CharField(max_length=200, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    made_to = serializers.PrimaryKeyRelatedField(
        queryset=Addressee.objects.all(), many=True, required=False
    )
    activities = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), many=True, required=False
    )


class ProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    evidence_document = serializers.PrimaryKeyRelatedField(
        queryset=ParliamentaryDocument.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The Kamerstuk that fulfils it, when the new status needs one."),
    )
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    open_part = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_("What is still open, when the new status is partially fulfilled."),
    )


class ProgressResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status_before = serializers.CharField()
    status_after = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


# --- deadline changes -------------------------------------------------------------------------


class DeadlineChangeSerializer(serializers.ModelSerializer):
    requested_by = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = DeadlineChange
        fields = [
            "id",
            "commitment",
            "original_due_date",
            "new_due_date",
            "reason",
            "state",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "version",
        ]
        read_only_fields = fields


class DeadlineRequestSerializer(serializers.Serializer):
    new_due_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# --- letters ----------------------------------------------------------------------------------


class LetterSerializer(serializers.ModelSerializer):
    drafter = PersonSerializer(read_only=True, allow_null=True)
    team = NamedSerializer(read_only=True, allow_null=True)
    sent_as = DocumentRefSerializer(read_only=True, allow_null=True)
    commitments = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpLetter
        fields = [
            "id",
            "title",
            "planned_date",
            "status",
            "drafter",
            "team",
            "sent_as",
            "commitments",
            "version",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_commitments(self, letter):
        # Only the commitments the reader may read: another team's stay unnamed.
        readable = self.context.get("readable_commitments")
        return [c.pk for c in letter.commitments.all() if readable is None or c.pk in readable]


class LetterWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    planned_date = serializers.DateField()
    drafter = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    commitments = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), many=True, required=False
    )


class LetterSentSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=ParliamentaryDocument.objects.all())
    outcomes = serializers.DictField(
        child=serializers.ChoiceField(choices=["fulfilled", "partially_fulfilled"]),
        help_text=_("Per commitment id, what the letter did for it."),
    )
    open_parts = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("Per commitment id answered in part, what is still open."),
    )
    sent_on = serializers.DateField(
        required=False,
        help_text=_("The day the letter went to the Kamer; by default the Kamerstuk's date."),
    )


# --- the Kamer's records ---------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    citation = serializers.CharField(read_only=True)

    class Meta:
        model = ParliamentaryDocument
        fields = [
            "id",
            "citation",
            "chamber",
            "dossier_number",
            "volgnummer",
            "document_number",
            "date",
            "title",
            "kind",
            "url",
            "version",
        ]
        read_only_fields = ["id", "citation", "version"]


class DebateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Debate
        fields = [
            "id",
            "kind",
            "title",
            "date",
            "chamber",
            "committee",
            "activity_number",
            "version",
        ]
        read_only_fields = ["id", "version"]


class BewindspersoonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bewindspersoon
        fields = [
            "id",
            "name",
            "function",
            "title",
            "ministry",
            "in_office_from",
            "in_office_until",
            "version",
        ]
        read_only_fields = ["id", "version"]


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "name", "abbreviation", "chamber", "version"]
        read_only_fields = ["id", "version"]


# --- plans ------------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "title", "summary", "adopted_on", "period_start", "period_end"]


class ActionLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionLine
        fields = ["id", "plan", "number", "title", "description"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = [
            "id",
            "plan",
            "action_line",
            "title",
            "description",
            "kind",
            "start_date",
            "end_date",
            "status",
            "progress",
            "team",
            "version",
        ]


class ActivityProgressSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Activity.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "subject_line", "occasion", "state", "sent_at"]
