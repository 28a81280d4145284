"""The REST API: the pages' reads and writes for scripts and systems, under `/api/v1/`.

Thin, like the pages: reads come from the same selectors (a record the user may not read is a
404, as on the pages) and writes go to the same services, which ask the access rules for
every record and record the actor. A write to a record names its version in `If-Match`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from actionlines import services as activity_services
from actionlines.models import ActionLine, Activity, Plan
from api import serializers as s
from api.conditional import expected_version, with_etag
from api.exceptions import StaleVersion
from api.pagination import OpaqueCursorPagination, PositionCursorPagination
from commitments import services
from commitments.access import can_read_commitment
from commitments.filters import CommitmentFilter
from commitments.models import (
    OPEN_STATUSES,
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
from commitments.selectors import (
    commitment_detail,
    commitments_visible_to,
    letter_detail,
    letters_visible_to,
)
from tracker.access import allowed
from tracker.audit import record_save
from tracker.concurrency import ConcurrentUpdateError

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='Het ETag van de versie die u wijzigt, bijvoorbeeld "3". / The ETag of the '
    'version you change, e.g. "3".',
)


# The list's columns, read as plain rows: a page of 50 is built without a model instance or a
# serializer per row, so the API list is no slower than the HTML list it mirrors. The shape is
# `CommitmentListSerializer`'s, which the schema describes (and a test holds them together).
LIST_COLUMNS = (
    "id",
    "reference",
    "register_number",
    "text",
    "status",
    "made_on",
    "deadline_wording",
    "due_date",
    "original_due_date",
    "fulfilled_on",
    "version",
    "made_by_id",
    "made_by__name",
    "made_by__function",
    "made_by__title",
    "debate_id",
    "debate__title",
    "debate__date",
    "debate__activity_number",
    "team_id",
    "team__name",
    "owner_id",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def _iso(value):
    return value.isoformat() if value is not None else None


def list_rows(rows, request, today) -> list[dict]:
    labels = dict(CommitmentStatus.choices)
    base = request.build_absolute_uri("/").rstrip("/")
    result = []
    for row in rows:
        due = row["due_date"]
        owner = None
        if row["owner_id"] is not None:
            full = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
            owner = {"id": row["owner_id"], "name": full or row["owner__username"]}
        result.append(
            {
                "id": row["id"],
                "reference": row["reference"],
                "register_number": row["register_number"],
                "text": row["text"],
                "status": row["status"],
                "status_label": str(labels[row["status"]]),
                "made_on": _iso(row["made_on"]),
                "deadline_wording": row["deadline_wording"],
                "due_date": _iso(due),
                "original_due_date": _iso(row["original_due_date"]),
                "fulfilled_on": _iso(row["fulfilled_on"]),
                "made_by": {
                    "id": row["made_by_id"],
                    "name": row["made_by__name"],
                    "function": row["made_by__function"],
                    "title": row["made_by__title"],
                },
                "debate": None
                if row["debate_id"] is None
                else {
                    "id": row["debate_id"],
                    "title": row["debate__title"],
                    "date": _iso(row["debate__date"]),
                    "activity_number": row["debate__activity_number"],
                },
                "team": None
                if row["team_id"] is None
                else {"id": row["team_id"], "name": row["team__name"]},
                "owner": owner,
                "is_overdue": row["status"] in OPEN_STATUSES and due is not None and due < today,
                "url": f"{base}/commitments/{row['id']}/",
                "version": row["version"],
            }
        )
    return result


class CommitmentFilterBackend(DjangoFilterBackend):
    """The list page's own filter set, with the letters the user may read."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["letters"] = letters_visible_to(request.user)
        return kwargs

    def get_filterset(self, request, queryset, view):
        # Kept on the view: the pagination asks it for the list's order and search.
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


# --- commitments ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Toezeggingen / Commitments",
        description="De toezeggingen die u mag lezen, met dezelfde filters als de lijstpagina. / "
        "The commitments you may read, with the same filters as the list page.",
    ),
    retrieve=extend_schema(
        summary="Eén toezegging met haar tijdlijn / One commitment with its timeline",
        description="Met voortgang, termijnverzoeken, besluiten en wijzigingen. Het ETag is de "
        "versie. / With progress, deadline requests, decisions and edits. The ETag is the version.",
    ),
)
class CommitmentViewSet(viewsets.GenericViewSet):
    serializer_class = s.CommitmentListSerializer
    filter_backends = [CommitmentFilterBackend]
    filterset_class = CommitmentFilter
    pagination_class = PositionCursorPagination

    def get_queryset(self):
        return commitments_visible_to(self.request.user).select_related(
            "made_by", "debate", "team", "owner"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def list(self, request):
        rows = self.filter_queryset(self.get_queryset()).values(*LIST_COLUMNS)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(list_rows(page, request, timezone.localdate()))

    def _readable(self, pk) -> Commitment:
        try:
            commitment = commitment_detail(pk=int(pk), user=self.request.user)
        except (Commitment.DoesNotExist, ValueError, OverflowError):
            raise NotFound from None
        if not can_read_commitment(self.request.user, commitment):
            raise NotFound
        return commitment

    def _detail(self, commitment, status_code=status.HTTP_200_OK):
        commitment = self._readable(commitment.pk)
        data = s.CommitmentDetailSerializer(commitment, context=self.get_serializer_context()).data
        return with_etag(Response(data, status=status_code), commitment)

    def retrieve(self, request, pk=None):
        commitment = self._readable(pk)
        return self._detail(commitment)

    @extend_schema(
        summary="Toezegging registreren / Register a commitment",
        request=s.CommitmentWriteSerializer,
        responses={201: s.CommitmentDetailSerializer},
    )
    def create(self, request):
        data = self._valid(s.CommitmentWriteSerializer, request.data)
        m2m = {name: data.pop(name) for name in ("made_to", "activities") if name in data}
        commitment = services.commitment_create(author=request.user, m2m=m2m, **data)
        return self._detail(commitment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Toezegging bewerken / Edit a commitment",
        description="Status en uiterste datum wijzigen via voortgang en termijnverzoeken. / "
        "Status and due date change through progress and deadline requests.",
        request=s.CommitmentWriteSerializer(partial=True),
        responses={200: s.CommitmentDetailSerializer},
        parameters=[IF_MATCH],
    )
    def partial_update(self, request, pk=None):
        commitment = self._readable(pk)
        version = expected_version(request, self._current(commitment))
        data = self._valid(s.CommitmentWriteSerializer, request.data, partial=True)
        m2m = {name: data.pop(name) for name in ("made_to", "activities") if name in data}
        data.pop("due_date", None)
        try:
            services.commitment_update(
                commitment=commitment,
                author=request.user,
                expected_version=version,
                m2m=m2m,
                **data,
            )
        except ConcurrentUpdateError:
            raise StaleVersion(self._current(commitment)) from None
        return self._detail(commitment)

    @extend_schema(
        summary="Voortgang vastleggen / Record progress",
        description="Voldaan vraagt het Kamerstuk dat de toezegging nakomt. / Fulfilled needs the "
        "Kamerstuk that fulfils it.",
        request=s.ProgressSerializer,
        responses={201: s.CommitmentDetailSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        commitment = self._readable(pk)
        version = expected_version(request, self._current(commitment))
        data = self._valid(s.ProgressSerializer, request.data)
        try:
            services.commitment_update_progress(
                commitment=commitment,
                author=request.user,
                status=data["status"],
                note=data.get("note", ""),
                evidence_document=data.get("evidence_document"),
                evidence_url=data.get("evidence_url", ""),
                open_part=data.get("open_part"),
                expected_version=version,
            )
        except ConcurrentUpdateError:
            raise StaleVersion(self._current(commitment)) from None
        return self._detail(commitment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Nieuwe uiterste datum vragen / Ask for a new due date",
        request=s.DeadlineRequestSerializer,
        responses={201: s.DeadlineChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="deadline-changes")
    def deadline_changes(self, request, pk=None):
        commitment = self._readable(pk)
        data = self._valid(s.DeadlineRequestSerializer, request.data)
        change = services.deadline_change_request(
            commitment=commitment,
            requested_by=request.user,
            new_due_date=data["new_due_date"],
            reason=data["reason"],
        )
        response = Response(s.DeadlineChangeSerializer(change).data, status=201)
        return with_etag(response, change)

    def _current(self, commitment):
        fresh = self._readable(commitment.pk)
        return s.CommitmentDetailSerializer(fresh, context=self.get_serializer_context()).data

    @staticmethod
    def _valid(serializer_class, data, partial=False) -> dict:
        serializer = serializer_class(data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="Termijnverzoeken / Deadline-change requests",
        description="Van de toezeggingen die u mag lezen. / Of the commitments you may read.",
    ),
    retrieve=extend_schema(summary="Eén termijnverzoek / One deadline-change request"),
)
class DeadlineChangeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DeadlineChangeSerializer
    pagination_class = OpaqueCursorPagination

    def get_queryset(self):
        visible = commitments_visible_to(self.request.user)
        return (
            DeadlineChange.objects.filter(commitment__in=visible)
            .select_related("requested_by", "decided_by")
            .order_by("-requested_at", "-pk")
        )

    def retrieve(self, request, pk=None):
        change = get_object_or_404(self.get_queryset(), pk=_int(pk))
        return with_etag(Response(self.get_serializer(change).data), change)

    @extend_schema(
        summary="Over een termijnverzoek beslissen / Decide on a deadline-change request",
        description="Door een manager van het team; nooit over het eigen verzoek. / By a manager "
        "of the team; never on one's own request.",
        request=s.DecisionSerializer,
        responses={200: s.DeadlineChangeSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        change = get_object_or_404(self.get_queryset(), pk=_int(pk))
        current = self.get_serializer(change).data
        version = expected_version(request, current)
        serializer = s.DecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if version != change.version:
            raise StaleVersion(current)
        if not allowed(request.user, "commitments.change_deadlinechange", change):
            raise PermissionDenied(_("Only a manager of the team decides on this request."))
        decide = (
            services.deadline_change_approve
            if serializer.validated_data["decision"] == "approve"
            else services.deadline_change_reject
        )
        try:
            change = decide(
                change=change,
                decided_by=request.user,
                note=serializer.validated_data.get("note", ""),
            )
        except ConcurrentUpdateError:
            raise StaleVersion(current) from None
        return with_etag(Response(self.get_serializer(change).data), change)


def _int(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 0 < value < 2**63:
        raise NotFound
    return value


# --- follow-up letters ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Vervolgbrieven / Follow-up letters"),
    retrieve=extend_schema(summary="Eén vervolgbrief / One follow-up letter"),
)
class LetterViewSet(viewsets.GenericViewSet):
    serializer_class = s.LetterSerializer
    pagination_class = OpaqueCursorPagination

    def get_queryset(self):
        return (
            letters_visible_to(self.request.user)
            .select_related("drafter", "team", "sent_as")
            .prefetch_related("commitments")
            .order_by("planned_date", "pk")
        )

    def get_serializer_context(self):
        readable = set(commitments_visible_to(self.request.user).values_list("pk", flat=True))
        return {**super().get_serializer_context(), "readable_commitments": readable}

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _readable(self, pk) -> FollowUpLetter:
        try:
            letter = letter_detail(pk=_int(pk), user=self.request.user)
        except FollowUpLetter.DoesNotExist:
            raise NotFound from None
        if not allowed(self.request.user, "commitments.view_followupletter", letter):
            raise NotFound
        return letter

    def _answer(self, letter, status_code=200):
        letter = self.get_queryset().get(pk=letter.pk)
        return with_etag(Response(self.get_serializer(letter).data, status=status_code), letter)

    def retrieve(self, request, pk=None):
        return self._answer(self._readable(pk))

    @extend_schema(
        summary="Vervolgbrief plannen / Plan a follow-up letter",
        request=s.LetterWriteSerializer,
        responses={201: s.LetterSerializer},
    )
    def create(self, request):
        serializer = s.LetterWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        commitments = data.pop("commitments", [])
        letter = services.follow_up_letter_save(
            actor=request.user, letter=FollowUpLetter(**data), commitments=commitments
        )
        return self._answer(letter, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Als verzonden vastleggen / Record as sent",
        description="Legt het Kamerstuk vast en komt de gekozen toezeggingen na, in één "
        "transactie. / Records the Kamerstuk and fulfils the chosen commitments, in one "
        "transaction.",
        request=s.LetterSentSerializer,
        responses={200: s.LetterSerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def sent(self, request, pk=None):
        letter = self._readable(pk)
        current = self.get_serializer(self.get_queryset().get(pk=letter.pk)).data
        version = expected_version(request, current)
        serializer = s.LetterSentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            outcomes = {int(k): v for k, v in serializer.validated_data["outcomes"].items()}
            open_parts = {
                int(k): v for k, v in serializer.validated_data.get("open_parts", {}).items()
            }
        except ValueError:
            raise ValidationError({"outcomes": _("Name each commitment by its id.")}) from None
        try:
            services.follow_up_letter_record_sent(
                letter=letter,
                author=request.user,
                document=serializer.validated_data["document"],
                outcomes=outcomes,
                open_parts=open_parts,
                sent_on=serializer.validated_data.get("sent_on"),
                expected_version=version,
            )
        except ConcurrentUpdateError:
            raise StaleVersion(current) from None
        return self._answer(letter)


# --- the Kamer's records: read by everyone, added by officials --------------------------------


class _RecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = OpaqueCursorPagination

    def retrieve(self, request, pk=None):
        record = get_object_or_404(self.get_queryset(), pk=_int(pk))
        return with_etag(Response(self.get_serializer(record).data), record)

    def perform_create(self, serializer):
        record = serializer.Meta.model(**serializer.validated_data)
        serializer.instance = record_save(actor=self.request.user, record=record)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response


def _records(model, serializer, name_nl, name_en, ordering):
    return extend_schema_view(
        list=extend_schema(summary=f"{name_nl} / {name_en}"),
        retrieve=extend_schema(summary=f"{name_nl}: één / {name_en}: one"),
        create=extend_schema(
            summary=f"{name_nl}: toevoegen / {name_en}: add",
            description="Voor medewerkers van een team. / For officials of a team.",
        ),
    )(
        type(
            f"{model.__name__}ViewSet",
            (_RecordViewSet,),
            {
                "serializer_class": serializer,
                "queryset": model.objects.order_by(*ordering),
            },
        )
    )


DocumentViewSet = _records(
    ParliamentaryDocument, s.DocumentSerializer, "Kamerstukken", "Documents", ("-date", "pk")
)
DebateViewSet = _records(Debate, s.DebateSerializer, "Debatten", "Debates", ("-date", "pk"))
BewindspersoonViewSet = _records(
    Bewindspersoon, s.BewindspersoonSerializer, "Bewindspersonen", "Bewindspersonen", ("name",)
)
CommitteeViewSet = _records(Committee, s.CommitteeSerializer, "Commissies", "Committees", ("name",))


# --- plans, action lines, activities --------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Plannen / Plans"),
    retrieve=extend_schema(summary="Eén plan / One plan"),
)
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PlanSerializer
    queryset = Plan.objects.order_by("title")
    pagination_class = OpaqueCursorPagination


@extend_schema_view(
    list=extend_schema(summary="Actielijnen / Action lines"),
    retrieve=extend_schema(summary="Eén actielijn / One action line"),
)
class ActionLineViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ActionLineSerializer
    queryset = ActionLine.objects.order_by("plan", "number")
    pagination_class = OpaqueCursorPagination


@extend_schema_view(
    list=extend_schema(summary="Activiteiten / Activities"),
    retrieve=extend_schema(summary="Eén activiteit / One activity"),
)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ActivitySerializer
    queryset = Activity.objects.order_by("plan", "action_line", "pk")
    pagination_class = OpaqueCursorPagination

    def retrieve(self, request, pk=None):
        activity = get_object_or_404(self.get_queryset(), pk=_int(pk))
        return with_etag(Response(self.get_serializer(activity).data), activity)

    @extend_schema(
        summary="Voortgang van een activiteit / Progress of an activity",
        request=s.ActivityProgressSerializer,
        responses={201: s.ActivitySerializer},
        parameters=[IF_MATCH],
    )
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        activity = get_object_or_404(self.get_queryset(), pk=_int(pk))
        current = self.get_serializer(activity).data
        version = expected_version(request, current)
        serializer = s.ActivityProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            activity_services.activity_update_progress(
                activity=activity,
                author=request.user,
                status=data["status"],
                progress=data["progress"],
                note=data.get("note", ""),
                link=data.get("link", ""),
                expected_version=version,
            )
        except ConcurrentUpdateError:
            raise StaleVersion(current) from None
        activity = self.get_queryset().get(pk=activity.pk)
        return with_etag(Response(self.get_serializer(activity).data, status=201), activity)


@extend_schema_view(
    list=extend_schema(
        summary="Mijn herinneringen / My notifications",
        description="Alleen die aan uzelf. / Only your own.",
    ),
)
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.NotificationSerializer
    pagination_class = OpaqueCursorPagination

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).order_by("-occasion", "-pk")
